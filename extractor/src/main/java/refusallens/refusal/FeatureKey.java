package refusallens.refusal;

/** An SAE feature: its layer and index in that layer's SAE. */
public record FeatureKey(int layer, int index) implements Comparable<FeatureKey> {
  public FeatureKey {
    if (layer < 0 || index < 0) {
      throw new IllegalArgumentException("feature needs layer and index >= 0, got " + layer + ", " + index);
    }
  }

  @Override
  public int compareTo(FeatureKey o) {
    return layer != o.layer ? Integer.compare(layer, o.layer) : Integer.compare(index, o.index);
  }

  @Override
  public String toString() {
    return "L" + layer + "/" + index;
  }
}
