package refusallens.service.inference;

/**
 * A request of more prompts than the whole queue holds: it could never be queued, so it is answered 413
 * naming the limit (a full queue, which frees up, is a 503 instead).
 */
public final class LargerThanQueueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LargerThanQueueException(int requested, int capacity) {
    super("the request needs " + requested + " queue slots but the queue holds at most " + capacity
        + " (refusallens.service.batching.queue-size): send at most " + capacity + " prompts per request");
  }
}
