package refusallens.refusal.extract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Slice {@code index} (0-based) of {@code count} contiguous slices of a dataset ({@code --shard i/n}), so
 * that merging slices 0..n-1 in order gives back the dataset's row order.
 */
public record ShardSlice(int index, int count) {
  @JsonCreator
  public ShardSlice(@JsonProperty("index") int index, @JsonProperty("count") int count) {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException(
          "--shard " + index + "/" + count + ": expected i/n with n >= 1 and 0 <= i < n");
    }
    this.index = index;
    this.count = count;
  }

  /** Parses {@code i/n}. */
  public static ShardSlice parse(String s) {
    String[] parts = s.trim().split("/");
    if (parts.length != 2) throw new IllegalArgumentException("--shard '" + s + "': expected i/n, e.g. 0/4");
    try {
      return new ShardSlice(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--shard '" + s + "': expected i/n with integers, e.g. 0/4");
    }
  }

  /** First row (inclusive) of this slice of {@code total} rows. */
  public int start(int total) {
    return (int) ((long) index * total / count);
  }

  /** Last row (exclusive) of this slice of {@code total} rows. */
  public int end(int total) {
    return (int) ((long) (index + 1) * total / count);
  }

  /** This slice's items, in order. */
  public <T> List<T> select(List<T> items) {
    return items.subList(start(items.size()), end(items.size()));
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}
