package refusallens.service.api;

/** A chat turn as a request carries it (checked by {@link PromptRules}). */
public record Message(String role, String content) {}
