package dev.shunt.backend.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One AWS service's API model (the botocore JSON the SDKs are generated from), compiled into
 * input validators. Its operations are read at start, its shapes when the first operation is
 * called; each operation's validators are compiled the first time it is called (SSM's model has 150 operations, a dozen of which most applications call), and
 * every request of the service is checked against them, so each operation gets AWS's limits,
 * enums, patterns and required members without hand-written checks.
 */
public final class ServiceModel {
  private final String serviceId;
  private final String displayName;
  private final String sdkName;
  private final String targetPrefix;
  private final String signingName;
  /** An operation's validators: its input's and its output's. */
  private record Operation(ShapeValidator.StructureShape input, ShapeValidator output) {}

  private final JsonNode operations;
  private final Set<String> operationNames;
  /**
   * Shapes whose length, range and pattern the service checks itself, because AWS answers a
   * value outside them with the service's own error rather than a ValidationException; their
   * JSON type is still checked here.
   */
  private final Set<String> shapesCheckedByService;
  /** Compiled on first use; read without a lock. */
  private final Map<String, Operation> compiledOperations = new ConcurrentHashMap<>();
  /** Every shape compiled so far, by name (shared by the operations; guarded by this). */
  private final Map<String, ShapeValidator> compiled = new HashMap<>();
  /** The model as read, until its shapes are (guarded by this). */
  private byte[] json;
  /** The model's shapes, read when the first operation is compiled (guarded by this). */
  private JsonNode shapes;

  private ServiceModel(byte[] json, Set<String> shapesCheckedByService) throws IOException {
    this.json = json;
    this.shapesCheckedByService = Set.copyOf(shapesCheckedByService);
    JsonNode root = Json.readMembers(json, Set.of("metadata", "operations"));
    JsonNode metadata = root.path("metadata");
    this.serviceId = metadata.path("serviceId").asText();
    this.displayName = serviceId.replace(" ", "");
    this.sdkName = displayName.equals(displayName.toUpperCase(java.util.Locale.ROOT))
        ? displayName.charAt(0) + displayName.substring(1).toLowerCase(java.util.Locale.ROOT) : displayName;
    this.targetPrefix = metadata.path("targetPrefix").asText();
    this.signingName = metadata.has("signingName") ? metadata.path("signingName").asText()
        : metadata.path("endpointPrefix").asText();
    this.operations = root.path("operations");
    Set<String> names = new TreeSet<>();
    operations.fieldNames().forEachRemaining(names::add);
    this.operationNames = Collections.unmodifiableSet(names);
  }

  /** An operation's validators, compiled the first time it is asked for; null for an operation not in the model. */
  private Operation operation(String name) {
    Operation known = compiledOperations.get(name);
    if (known != null) {
      return known;
    }
    synchronized (this) {
      known = compiledOperations.get(name);
      JsonNode definition = operations.get(name);
      if (known != null || definition == null) {
        return known;
      }
      if (shapes == null) {
        try {
          shapes = Json.readMembers(json, Set.of("shapes")).path("shapes");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        json = null;
      }
      JsonNode input = definition.path("input").path("shape");
      JsonNode output = definition.path("output").path("shape");
      Operation operation = new Operation(input.isMissingNode() ? new ShapeValidator.StructureShape()
          : (ShapeValidator.StructureShape) compile(input.asText()),
          output.isMissingNode() ? new ShapeValidator.StructureShape() : compile(output.asText()));
      compiledOperations.put(name, operation);
      return operation;
    }
  }

  /** Loads {@code dev/shunt/backend/model/<name>.json} from the class path. */
  public static ServiceModel load(String name) {
    return load(name, Set.of());
  }

  /**
   * Loads a model whose named shapes keep only their type check: the service checks their limits
   * itself, with the error AWS gives for them (see {@link #shapesCheckedByService}).
   */
  public static ServiceModel load(String name, Set<String> shapesCheckedByService) {
    String resource = "/dev/shunt/backend/model/" + name + ".json";
    try (InputStream in = ServiceModel.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("No service model at " + resource);
      }
      return new ServiceModel(in.readAllBytes(), shapesCheckedByService);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String serviceId() {
    return serviceId;
  }

  /** The service id without spaces, as span names spell it: {@code KMS}, {@code SecretsManager}, {@code SSM}. */
  public String displayName() {
    return displayName;
  }

  /**
   * The service as the AWS SDK for Java names it ({@code Kms}, {@code SecretsManager},
   * {@code Ssm}), which OpenTelemetry's AWS SDK instrumentation reports as {@code rpc.service}.
   */
  public String sdkName() {
    return sdkName;
  }

  /** The {@code X-Amz-Target} prefix, e.g. {@code TrentService}. */
  public String targetPrefix() {
    return targetPrefix;
  }

  /** The SigV4 signing name, e.g. {@code kms}. */
  public String signingName() {
    return signingName;
  }

  public Set<String> operationNames() {
    return operationNames;
  }

  /**
   * Checks an operation's input in place: throws {@code SerializationException} for a value of
   * the wrong type and {@code ValidationException} listing every constraint broken; leaves blobs
   * decoded as binary nodes.
   */
  public void validateInput(String operation, ObjectNode input) {
    Operation compiledOperation = operation(operation);
    if (compiledOperation == null) {
      throw new IllegalArgumentException("Operation " + operation + " is not in the " + serviceId + " model");
    }
    Violations violations = new Violations();
    compiledOperation.input().check(input, "", violations);
    violations.throwIfAny();
  }

  /** An operation's input as an audit record keeps it (see {@link ShapeValidator#recorded}). */
  public ObjectNode recordedInput(String operation, JsonNode input) {
    Operation compiledOperation = operation(operation);
    return compiledOperation == null || input == null ? null : (ObjectNode) compiledOperation.input().recorded(input);
  }

  /** An operation's output as an audit record keeps it, or null for an output that is not a structure. */
  public ObjectNode recordedOutput(String operation, JsonNode output) {
    Operation compiledOperation = operation(operation);
    JsonNode recorded = compiledOperation == null || output == null ? null : compiledOperation.output().recorded(output);
    return recorded instanceof ObjectNode object ? object : null;
  }

  /** Compiles a shape and the shapes it names (under this object's lock). */
  private ShapeValidator compile(String name) {
    ShapeValidator known = compiled.get(name);
    if (known != null) {
      return known;
    }
    JsonNode shape = shapes.path(name);
    boolean sensitive = shape.path("sensitive").asBoolean(false);
    boolean limited = !shapesCheckedByService.contains(name);
    Integer min = limited && shape.has("min") ? shape.get("min").asInt() : null;
    Integer max = limited && shape.has("max") ? shape.get("max").asInt() : null;
    String type = shape.path("type").asText();
    ShapeValidator validator;
    switch (type) {
      case "string" -> {
        Pattern pattern = null;
        String patternText = limited ? shape.path("pattern").asText(null) : null;
        if (patternText != null) {
          try {
            pattern = Pattern.compile(patternText, Pattern.DOTALL);
          } catch (PatternSyntaxException e) {
            patternText = null; // a pattern Java cannot read is not enforced
          }
        }
        Set<String> enumValues = null;
        String enumText = null;
        if (shape.has("enum")) {
          enumValues = new LinkedHashSet<>();
          for (JsonNode value : shape.get("enum")) {
            enumValues.add(value.asText());
          }
          enumText = new ArrayList<>(enumValues).toString();
          enumValues = Set.copyOf(enumValues);
        }
        validator = new ShapeValidator.StringShape(sensitive, min, max, pattern, patternText, enumValues, enumText);
      }
      case "integer", "long", "double", "float" -> validator = new ShapeValidator.NumberShape(type,
          limited && shape.has("min") ? shape.get("min").asDouble() : null,
          limited && shape.has("max") ? shape.get("max").asDouble() : null);
      case "boolean" -> validator = new ShapeValidator.BooleanShape();
      case "timestamp" -> validator = new ShapeValidator.TimestampShape();
      case "blob" -> validator = new ShapeValidator.BlobShape(sensitive, min, max);
      case "list" -> {
        ShapeValidator.ListShape list = new ShapeValidator.ListShape(sensitive, min, max);
        compiled.put(name, list);
        list.member = compile(shape.path("member").path("shape").asText());
        validator = list;
      }
      case "map" -> {
        ShapeValidator.MapShape map = new ShapeValidator.MapShape(sensitive, min, max);
        compiled.put(name, map);
        map.key = compile(shape.path("key").path("shape").asText());
        map.value = compile(shape.path("value").path("shape").asText());
        validator = map;
      }
      case "structure" -> {
        if (shape.path("document").asBoolean(false)) {
          validator = new ShapeValidator.AnyShape();
          break;
        }
        ShapeValidator.StructureShape structure = new ShapeValidator.StructureShape(sensitive);
        compiled.put(name, structure);
        Set<String> required = new HashSet<>();
        shape.path("required").forEach(r -> required.add(r.asText()));
        List<ShapeValidator.StructureShape.Member> members = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = shape.path("members").fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> member = fields.next();
          String memberName = member.getKey();
          String pathName = Character.toLowerCase(memberName.charAt(0)) + memberName.substring(1);
          members.add(new ShapeValidator.StructureShape.Member(memberName, pathName,
              ShapeValidator.recordName(memberName), compile(member.getValue().path("shape").asText()),
              required.contains(memberName)));
        }
        structure.members = members.toArray(new ShapeValidator.StructureShape.Member[0]);
        validator = structure;
      }
      default -> validator = new ShapeValidator.AnyShape();
    }
    compiled.put(name, validator);
    return validator;
  }
}
