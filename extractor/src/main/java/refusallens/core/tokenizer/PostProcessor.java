package refusallens.core.tokenizer;

import java.util.List;

/** A tokenizer.json post-processor: adds the special tokens of a single sequence (BOS for Gemma and Llama-3). */
sealed interface PostProcessor {
  int[] process(int[] ids);

  /** {@code TemplateProcessing} (single-sequence template): special-token ids around the sequence. */
  record Template(List<int[]> itemsOrSequence) implements PostProcessor {
    /** {@code null} items mark where the sequence goes. */
    @Override
    public int[] process(int[] ids) {
      IntList out = new IntList(ids.length + 4);
      for (int[] item : itemsOrSequence) {
        out.addAll(item == null ? ids : item);
      }
      return out.toArray();
    }
  }

  /** {@code ByteLevel} as a post-processor only trims offsets: ids are unchanged. */
  record ByteLevelOffsets() implements PostProcessor {
    @Override
    public int[] process(int[] ids) {
      return ids;
    }
  }

  /** {@code Sequence}: each processor in turn. */
  record Sequence(List<PostProcessor> processors) implements PostProcessor {
    @Override
    public int[] process(int[] ids) {
      int[] cur = ids;
      for (PostProcessor p : processors) {
        cur = p.process(cur);
      }
      return cur;
    }
  }
}
