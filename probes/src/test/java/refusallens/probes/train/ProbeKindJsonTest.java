package refusallens.probes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A probe kind is written in lower case, as on the command line; files written before (LOGISTIC) still read. */
class ProbeKindJsonTest {
  @Test
  void writesLowerCaseAndReadsBoth() throws Exception {
    ObjectMapper m = new ObjectMapper();
    assertEquals("[\"logistic\",\"svm\",\"mlp\"]", m.writeValueAsString(List.of(ProbeKind.values())));
    assertEquals(ProbeKind.LOGISTIC, m.readValue("\"LOGISTIC\"", ProbeKind.class));
    assertEquals(ProbeKind.MLP, m.readValue("\"mlp\"", ProbeKind.class));
  }
}
