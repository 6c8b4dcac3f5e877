package refusallens.service.api;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.junit.jupiter.api.Test;

/** The examples table names operations that must exist: a renamed endpoint fails loudly, not with no examples. */
class RequestExamplesTest {
  @Test
  void anOperationMissingFromTheDocumentIsAnErrorNamingItsPath() {
    OpenAPI doc = OASFactory.createOpenAPI().paths(OASFactory.createPaths());
    var e = assertThrows(IllegalStateException.class, () -> RequestExamples.document(doc));
    assertTrue(e.getMessage().contains("POST /v1/classify"), e.getMessage());
  }
}
