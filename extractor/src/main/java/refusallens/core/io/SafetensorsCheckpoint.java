package refusallens.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weights of a Hugging Face model directory: a single {@code model.safetensors} or shards listed by
 * {@code model.safetensors.index.json} ({@code weight_map}), behind one tensor-lookup API.
 */
public final class SafetensorsCheckpoint implements TensorSource {
  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";

  private final Path dir;
  private final Path lookupFile; // the index, or the single file: named in "missing tensor" errors
  private final List<SafetensorsFile> shards;
  private final Map<String, SafetensorsFile> byName; // in index (or file) order

  private SafetensorsCheckpoint(
      Path dir, Path lookupFile, List<SafetensorsFile> shards, Map<String, SafetensorsFile> byName) {
    this.dir = dir;
    this.lookupFile = lookupFile;
    this.shards = shards;
    this.byName = byName;
  }

  /** Opens the checkpoint in {@code dir}, preferring the sharded index when both are present. */
  public static SafetensorsCheckpoint open(Path dir) {
    Path index = dir.resolve(INDEX_FILE);
    Path single = dir.resolve(SINGLE_FILE);
    if (Files.isRegularFile(index)) {
      return openSharded(dir, index);
    }
    if (Files.isRegularFile(single)) {
      SafetensorsFile f = SafetensorsFile.open(single);
      Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
      for (String n : f.names()) {
        byName.put(n, f);
      }
      return new SafetensorsCheckpoint(dir, single, List.of(f), byName);
    }
    throw new TensorFileException(dir, "no " + SINGLE_FILE + " or " + INDEX_FILE + " in this directory");
  }

  private static SafetensorsCheckpoint openSharded(Path dir, Path index) {
    JsonNode root;
    try {
      root = SafetensorsFile.JSON.readTree(Files.readString(index));
    } catch (JsonProcessingException e) {
      throw new TensorFileException(index, "bad JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new TensorFileException(index, "cannot read: " + e, e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new TensorFileException(index, "missing object 'weight_map' (tensor name -> shard file)");
    }
    Map<String, SafetensorsFile> files = new LinkedHashMap<>();
    Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
    List<SafetensorsFile> opened = new ArrayList<>();
    try {
      for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw new TensorFileException(index, "weight_map entry '" + e.getKey() + "' is not a file name");
        }
        String shardName = e.getValue().asText();
        Path shardPath = dir.resolve(shardName).normalize();
        if (!shardPath.getParent().equals(dir.normalize())) {
          throw new TensorFileException(index, "shard '" + shardName + "' is not a file of this directory");
        }
        SafetensorsFile f = files.get(shardName);
        if (f == null) {
          if (!Files.isRegularFile(shardPath)) {
            throw new TensorFileException(index, "shard '" + shardName + "' (for '" + e.getKey() + "') does not exist");
          }
          f = SafetensorsFile.open(shardPath);
          opened.add(f);
          files.put(shardName, f);
        }
        if (!f.contains(e.getKey())) {
          throw new TensorFileException(
              index, "tensor '" + e.getKey() + "' is mapped to '" + shardName + "', which does not hold it");
        }
        byName.put(e.getKey(), f);
      }
    } catch (RuntimeException e) {
      opened.forEach(SafetensorsFile::close);
      throw e;
    }
    return new SafetensorsCheckpoint(dir, index, List.copyOf(opened), byName);
  }

  /** The model directory. */
  public Path dir() {
    return dir;
  }

  /** The opened shard files. */
  public List<SafetensorsFile> shards() {
    return shards;
  }

  private SafetensorsFile shard(String name) {
    SafetensorsFile f = byName.get(name);
    if (f == null) {
      throw new TensorFileException(
          lookupFile,
          "tensor '" + name + "' missing (checkpoint has " + byName.size() + " tensors)");
    }
    return f;
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(byName.keySet());
  }

  @Override
  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  @Override
  public TensorInfo info(String name) {
    return shard(name).info(name);
  }

  @Override
  public Path fileOf(String name) {
    return shard(name).path();
  }

  @Override
  public INDArray getFloat(String name) {
    return shard(name).getFloat(name);
  }

  @Override
  public INDArray get(String name) {
    return shard(name).get(name);
  }

  @Override
  public ByteBuffer raw(String name) {
    return shard(name).raw(name);
  }

  @Override
  public ByteBuffer rawRange(String name, long offset, int length) {
    return shard(name).rawRange(name, offset, length);
  }

  /** The {@code __metadata__} of all shards merged (the first shard's value wins on a clash). */
  public Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    for (SafetensorsFile f : shards) {
      f.metadata().forEach(m::putIfAbsent);
    }
    return Collections.unmodifiableMap(m);
  }

  @Override
  public void close() {
    shards.forEach(SafetensorsFile::close);
  }
}
