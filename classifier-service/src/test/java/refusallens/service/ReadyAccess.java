package refusallens.service;

import static io.restassured.RestAssured.given;

/** Waits for the readiness check (the engine loads on a background thread). */
public final class ReadyAccess {
  private ReadyAccess() {}

  public static void await() {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (given().get("/q/health/ready").statusCode() == 200) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new AssertionError("service did not become ready within 60 s");
  }
}
