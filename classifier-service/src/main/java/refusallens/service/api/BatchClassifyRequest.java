package refusallens.service.api;

import java.util.List;

/** POST /v1/classify/batch: up to limits.max-batch-items classify requests. */
public record BatchClassifyRequest(List<ClassifyRequest> items) {}
