package refusallens.service.inference;

/** The inference queue has no room for the request: answered 503 with Retry-After. */
public final class QueueFullException extends RuntimeException {
  public QueueFullException(int queued, int capacity, int requested) {
    super(
        "inference queue is full ("
            + queued
            + " of "
            + capacity
            + " slots taken, request needs "
            + requested
            + "); retry later");
  }
}
