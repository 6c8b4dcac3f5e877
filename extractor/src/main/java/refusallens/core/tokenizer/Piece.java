package refusallens.core.tokenizer;

/**
 * A stretch of text on its way to the model; {@code atStart} says whether it begins at offset 0 of the
 * original input (Metaspace's prepend_scheme "first" needs that).
 */
record Piece(String text, boolean atStart) {}
