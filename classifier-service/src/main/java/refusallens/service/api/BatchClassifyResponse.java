package refusallens.service.api;

import java.util.List;

/** Results of /v1/classify/batch, in request order. */
public record BatchClassifyResponse(int count, List<ClassifyResponse> results) {}
