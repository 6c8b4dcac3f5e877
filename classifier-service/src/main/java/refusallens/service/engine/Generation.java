package refusallens.service.engine;

/** A greedy completion: its text and token counts. */
public record Generation(String text, int promptTokens, int newTokens) {}
