package dev.shunt.backend.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.core.CommonErrors;
import java.util.ArrayList;
import java.util.List;

/** The constraint violations found in one request, reported together as AWS does. */
final class Violations {
  private List<String> messages;

  void add(ShapeValidator shape, JsonNode value, String path, String constraint) {
    add(shape, value, path, constraint, false);
  }

  void add(ShapeValidator shape, JsonNode value, String path, String constraint, boolean nullValue) {
    if (messages == null) {
      messages = new ArrayList<>(2);
    }
    String shown;
    if (nullValue) {
      shown = "Value null";
    } else if (value == null || (shape != null && shape.sensitive)) {
      shown = "Value";
    } else {
      shown = "Value '" + ShapeValidator.describe(value) + "'";
    }
    messages.add(shown + " at '" + path + "' failed to satisfy constraint: " + constraint);
  }

  void throwIfAny() {
    if (messages == null) {
      return;
    }
    int count = messages.size();
    throw CommonErrors.validation(count + (count == 1 ? " validation error" : " validation errors")
        + " detected: " + String.join("; ", messages));
  }
}
