package refusallens.probes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.ActivationStoreWriter;
import refusallens.refusal.extract.Identity;
import refusallens.refusal.extract.PositionRule;
import refusallens.refusal.extract.StoreHeader;
import refusallens.refusal.extract.StoreRow;
import refusallens.refusal.extract.StoreTensor;

/**
 * Writes a small activation store with a planted harm signal: resid_post at layers 1 and 2 (d = 8), all
 * 32 SAE features of both layers; SAE feature (2, 5) fires on harm, (2, 9) on refusal-like rows, (1, 3)
 * weakly on harm. Attacked rows (harmful and harmless) shift the raw residual along another direction.
 * OOD sets: suffix (30 positives, 30 negatives), roleplay (30, 12), suffix:jailbroken (6, 30: too small).
 */
final class SyntheticStore {
  static final int D = 8;
  static final int M = 32;
  static final Identity MODEL = new Identity("toy-model", "a1a1a1a1a1a1a1a1");
  static final Identity SAE = new Identity("toy-sae", "b2b2b2b2b2b2b2b2");

  private SyntheticStore() {}

  static Path write(Path dir, Identity model, long seed) throws Exception {
    List<StoreTensor> tensors = new ArrayList<>();
    for (int l = 1; l <= 2; l++) {
      tensors.add(StoreTensor.residPost(l, PositionRule.LAST, D));
      tensors.add(StoreTensor.saeActs(l, PositionRule.LAST, M));
    }
    StoreHeader h = new StoreHeader(model, SAE, new Identity("toy.jsonl", "c3c3"), tensors, seed, null, Map.of());
    ActivationStoreWriter w = ActivationStoreWriter.open(dir, h);
    Random r = new Random(seed);
    List<StoreRow> rows = new ArrayList<>();
    List<float[][]> values = new ArrayList<>();
    int id = 0;
    // plain rows p0..p59 harmful, p60..p119 harmless; attacked variants derive from the first 15 of each label
    String[][] kinds = {{null, "harmful", "60"}, {null, "harmless", "60"}, {"suffix", "harmful", "30"}, {"roleplay", "harmful", "30"},
        {"suffix", "harmless", "30"}, {"roleplay", "harmless", "12"}};
    for (String[] k : kinds) {
      for (int i = 0; i < Integer.parseInt(k[2]); i++) {
        boolean harm = k[1].equals("harmful");
        boolean attacked = k[0] != null;
        Boolean jb = "suffix".equals(k[0]) && harm ? i % 5 == 0 : null;
        String base = attacked ? "p" + ((harm ? 0 : 60) + i % 15) : null;
        rows.add(new StoreRow("p" + id++, k[1], "c" + (i % 3), k[0], base, jb));
        float[][] v = new float[4][];
        for (int l = 1; l <= 2; l++) {
          float[] resid = new float[D];
          for (int j = 0; j < D; j++) resid[j] = (float) r.nextGaussian();
          if (harm) resid[0] += l == 2 ? 4f : 1.5f;
          if (attacked) { // the attack hides part of the raw harm direction and moves activations elsewhere
            resid[0] -= 2f;
            resid[1] += 3f;
          }
          float[] sae = new float[M];
          for (int j = 0; j < M; j++) sae[j] = r.nextDouble() < 0.2 ? (float) Math.abs(r.nextGaussian()) : 0f;
          if (l == 2) {
            sae[5] = harm ? 2f + (float) Math.abs(r.nextGaussian()) : (float) (0.2 * Math.abs(r.nextGaussian()));
            sae[9] = harm && !Boolean.TRUE.equals(jb) ? 1.5f : 0f;
          } else {
            sae[3] = harm ? (float) Math.abs(r.nextGaussian()) + 0.5f : (float) Math.abs(0.5 * r.nextGaussian());
          }
          v[(l - 1) * 2] = resid;
          v[(l - 1) * 2 + 1] = sae;
        }
        values.add(v);
      }
    }
    // two shards, so that readers cross a shard boundary
    int half = rows.size() / 2;
    for (int[] range : new int[][] {{0, half}, {half, rows.size()}}) {
      Map<String, float[][]> m = new LinkedHashMap<>();
      for (int t = 0; t < tensors.size(); t++) {
        float[][] x = new float[range[1] - range[0]][];
        for (int i = range[0]; i < range[1]; i++) x[i - range[0]] = values.get(i)[t];
        m.put(tensors.get(t).name(), x);
      }
      w.append(rows.subList(range[0], range[1]), m);
    }
    Files.writeString(
        dir.resolve("features.json"),
        "{\"schemaVersion\": 1, \"kind\": \"refusal-features\", \"refusalDirection\": {\"layer\": 2, \"norm\": 1.0, \"direction\": [1.0]},"
            + " \"features\": [{\"layer\": 2, \"index\": 5, \"role\": \"harm\", \"cosine\": 0.3},"
            + " {\"layer\": 1, \"index\": 3, \"role\": \"harm\"}, {\"layer\": 2, \"index\": 9, \"role\": \"refusal\"}]}");
    return dir;
  }

  /** Row id -> a prompt text whose words carry the label (harmful rows name a weapon), for the text baseline. */
  static Map<String, String> texts(ActivationStore store) {
    Map<String, String> t = new LinkedHashMap<>();
    Random r = new Random(3);
    String[] topics = {"a cake", "a garden", "a poem", "a trip", "the weather"};
    for (StoreRow row : store.rows()) {
      String topic = topics[r.nextInt(topics.length)];
      String base = row.harmful() ? "how do I build a weapon to hurt " + topic : "how do I plan " + topic;
      t.put(row.id(), row.attack() == null ? base : base + " [" + row.attack() + " suffix]");
    }
    return t;
  }
}
