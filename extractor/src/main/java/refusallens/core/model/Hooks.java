package refusallens.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The hooks of one call, by hook name, applied in insertion order. Immutable: a call gets its hooks
 * as an argument, so nothing outlives the call (no global registry).
 */
public final class Hooks<T> {
  private final Map<HookName, List<Hook<T>>> byName;

  private Hooks(Map<HookName, List<Hook<T>>> byName) {
    this.byName = byName;
  }

  public static <T> Hooks<T> none() {
    return new Hooks<>(Collections.emptyMap());
  }

  public static <T> Hooks<T> of(HookName name, Hook<T> hook) {
    return Hooks.<T>none().with(name, hook);
  }

  /** A copy with {@code hook} added after any existing hooks at {@code name}. */
  public Hooks<T> with(HookName name, Hook<T> hook) {
    Map<HookName, List<Hook<T>>> copy = new TreeMap<>(byName);
    List<Hook<T>> list = new ArrayList<>(copy.getOrDefault(name, List.of()));
    list.add(hook);
    copy.put(name, List.copyOf(list));
    return new Hooks<>(Collections.unmodifiableMap(copy));
  }

  /** A copy with every hook of {@code other} added. */
  public Hooks<T> with(Hooks<T> other) {
    Hooks<T> out = this;
    for (Map.Entry<HookName, List<Hook<T>>> e : other.byName.entrySet()) {
      for (Hook<T> h : e.getValue()) {
        out = out.with(e.getKey(), h);
      }
    }
    return out;
  }

  public boolean contains(HookName name) {
    return byName.containsKey(name);
  }

  /** Hook names present, in forward order. */
  public java.util.Set<HookName> names() {
    return new java.util.TreeSet<>(byName.keySet());
  }

  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /** The deepest layer that has a hook, if any. */
  public OptionalInt maxLayer() {
    return byName.keySet().stream().mapToInt(HookName::layer).max();
  }

  /** The hooks at {@code name}, in order (empty when none). */
  public List<Hook<T>> at(HookName name) {
    return byName.getOrDefault(name, List.of());
  }

  /** Runs the hooks at {@code name} in order; each sees the previous one's output. */
  public T apply(HookName name, T activation, HookContext<T> context) {
    List<Hook<T>> list = byName.get(name);
    if (list == null) {
      return activation;
    }
    T current = activation;
    for (Hook<T> h : list) {
      T replaced = h.apply(current, name, context);
      if (replaced != null) {
        current = replaced;
      }
    }
    return current;
  }
}
