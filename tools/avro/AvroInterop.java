/*
 * The Apache Avro Java side of the interoperability tests: what a Java consumer or producer of
 * our topics does, with nothing but the .avsc files and the Avro library.
 *
 * Runs from source (Java 11+), with the jars of pom.xml beside it on the class path:
 *
 *   java -cp 'libs/*' AvroInterop.java fingerprints SCHEMA_DIR
 *       one JSON line per schema: name, Parsing Canonical Form (SchemaNormalization.toParsingForm)
 *       and CRC-64-AVRO fingerprint (parsingFingerprint64) as the 8 little-endian header bytes in hex
 *   java -cp 'libs/*' AvroInterop.java read SCHEMA_DIR  < hex lines
 *       decodes each single-object encoded value (BinaryMessageDecoder, every schema added, so the
 *       writer schema is found by fingerprint) and prints {"schema": full name, "record": {...}}
 *   java -cp 'libs/*' AvroInterop.java write SCHEMA_DIR < JSON lines {"schema": name, "record": {...}}
 *       builds a GenericRecord from each and prints its single-object encoding (BinaryMessageEncoder) in hex
 *
 * The JSON form of a record: strings, numbers, booleans and null as themselves, enums as their
 * symbol, bytes as base64, timestamp-millis as ISO-8601 instants (java.time.Instant), unions as
 * the value of the branch. A bad line ends the program with status 1 and one line on stderr.
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

public class AvroInterop {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: AvroInterop fingerprints|read|write SCHEMA_DIR");
      System.exit(2);
    }
    Map<String, Schema> schemas = parseAll(new File(args[1]));
    GenericData model = new GenericData();
    model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    switch (args[0]) {
      case "fingerprints" -> {
        for (Schema schema : schemas.values()) {
          ObjectNode line = NODES.objectNode();
          line.put("name", schema.getName());
          line.put("canonical_form", SchemaNormalization.toParsingForm(schema));
          line.put("fingerprint", hexLittleEndian(SchemaNormalization.parsingFingerprint64(schema)));
          out.println(JSON.writeValueAsString(line));
        }
      }
      case "read" -> {
        BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(model, null);
        for (Schema schema : schemas.values()) {
          decoder.addSchema(schema);
        }
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
          number++;
          try {
            GenericRecord record = decoder.decode(HexFormat.of().parseHex(line.strip()));
            ObjectNode result = NODES.objectNode();
            result.put("schema", record.getSchema().getFullName());
            result.set("record", toJson(record.getSchema(), record, model));
            out.println(JSON.writeValueAsString(result));
          } catch (Exception exc) {
            fail("line " + number + ": " + exc);
          }
        }
      }
      case "write" -> {
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
          number++;
          try {
            JsonNode doc = JSON.readTree(line);
            Schema schema = schemas.get(doc.get("schema").textValue());
            if (schema == null) {
              throw new IllegalArgumentException("unknown schema " + doc.get("schema"));
            }
            Object record = fromJson(schema, doc.get("record"), "");
            byte[] bytes = new BinaryMessageEncoder<GenericRecord>(model, schema).encode((GenericRecord) record).array();
            out.println(HexFormat.of().formatHex(bytes));
          } catch (Exception exc) {
            fail("line " + number + ": " + exc);
          }
        }
      }
      default -> fail("unknown command " + args[0] + " (fingerprints, read or write)");
    }
  }

  private static void fail(String message) {
    System.err.println("AvroInterop: " + message);
    System.exit(1);
  }

  /** Every .avsc of the folder by short name; files refer to each other, so parse until all resolve. */
  private static Map<String, Schema> parseAll(File folder) throws Exception {
    File[] files = folder.listFiles((dir, name) -> name.endsWith(".avsc"));
    if (files == null || files.length == 0) {
      fail(folder + ": no .avsc files");
    }
    Arrays.sort(files);
    List<File> pending = new ArrayList<>(Arrays.asList(files));
    List<String> resolved = new ArrayList<>();
    Map<String, Schema> parsed = new LinkedHashMap<>();
    while (!pending.isEmpty()) {
      boolean progressed = false;
      for (File file : new ArrayList<>(pending)) {
        String text = Files.readString(file.toPath(), StandardCharsets.UTF_8);
        // A fresh parser over every schema resolved so far plus this one: a name it refers to
        // that is defined in a file not read yet fails now and resolves in a later round.
        Schema.Parser parser = new Schema.Parser();
        Schema schema;
        try {
          for (String earlier : resolved) {
            parser.parse(earlier);
          }
          schema = parser.parse(text);
        } catch (AvroRuntimeException exc) {
          continue;
        }
        resolved.add(text);
        parsed.put(schema.getName(), schema);
        pending.remove(file);
        progressed = true;
      }
      if (!progressed) {
        fail("cannot resolve the references of " + pending);
      }
    }
    return parsed;
  }

  private static String hexLittleEndian(long fingerprint) {
    byte[] bytes = new byte[8];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (fingerprint >>> (8 * i));
    }
    return HexFormat.of().formatHex(bytes);
  }

  private static boolean isTimestampMillis(Schema schema) {
    return schema.getLogicalType() instanceof LogicalTypes.TimestampMillis;
  }

  private static JsonNode toJson(Schema schema, Object datum, GenericData model) {
    switch (schema.getType()) {
      case RECORD: {
        GenericRecord record = (GenericRecord) datum;
        ObjectNode node = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
          node.set(field.name(), toJson(field.schema(), record.get(field.pos()), model));
        }
        return node;
      }
      case UNION:
        return toJson(schema.getTypes().get(model.resolveUnion(schema, datum)), datum, model);
      case ARRAY: {
        ArrayNode node = NODES.arrayNode();
        for (Object item : (Iterable<?>) datum) {
          node.add(toJson(schema.getElementType(), item, model));
        }
        return node;
      }
      case MAP: {
        ObjectNode node = NODES.objectNode();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) datum).entrySet()) {
          node.set(entry.getKey().toString(), toJson(schema.getValueType(), entry.getValue(), model));
        }
        return node;
      }
      case ENUM:
      case STRING:
        return NODES.textNode(datum.toString());
      case BYTES: {
        ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
      }
      case LONG:
        if (isTimestampMillis(schema)) {
          return NODES.textNode(((Instant) datum).toString());
        }
        return NODES.numberNode((Long) datum);
      case INT:
        return NODES.numberNode((Integer) datum);
      case DOUBLE:
        return NODES.numberNode((Double) datum);
      case FLOAT:
        return NODES.numberNode((Float) datum);
      case BOOLEAN:
        return NODES.booleanNode((Boolean) datum);
      case NULL:
        return NODES.nullNode();
      default:
        throw new IllegalArgumentException("unsupported type " + schema.getType());
    }
  }

  private static Object fromJson(Schema schema, JsonNode node, String path) {
    if (node == null) {
      throw new IllegalArgumentException(path + ": missing");
    }
    switch (schema.getType()) {
      case RECORD: {
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
          record.put(field.pos(), fromJson(field.schema(), node.get(field.name()), path + "." + field.name()));
        }
        return record;
      }
      case UNION:
        for (Schema branch : schema.getTypes()) {
          if (node.isNull() == (branch.getType() == Schema.Type.NULL)) {
            return fromJson(branch, node, path);
          }
        }
        throw new IllegalArgumentException(path + ": no union branch for " + node);
      case ARRAY: {
        List<Object> items = new GenericData.Array<>(node.size(), schema);
        for (int i = 0; i < node.size(); i++) {
          items.add(fromJson(schema.getElementType(), node.get(i), path + "[" + i + "]"));
        }
        return items;
      }
      case MAP: {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          map.put(e.getKey(), fromJson(schema.getValueType(), e.getValue(), path + "." + e.getKey()));
        }
        return map;
      }
      case ENUM:
        return new GenericData.EnumSymbol(schema, node.textValue());
      case STRING:
        if (!node.isTextual()) {
          throw new IllegalArgumentException(path + ": not a string: " + node);
        }
        return node.textValue();
      case BYTES:
        return ByteBuffer.wrap(Base64.getDecoder().decode(node.textValue()));
      case LONG:
        return isTimestampMillis(schema) ? Instant.parse(node.textValue()) : (Object) node.longValue();
      case INT:
        return node.intValue();
      case DOUBLE:
        return node.doubleValue();
      case FLOAT:
        return node.floatValue();
      case BOOLEAN:
        return node.booleanValue();
      case NULL:
        if (!node.isNull()) {
          throw new IllegalArgumentException(path + ": not null: " + node);
        }
        return null;
      default:
        throw new IllegalArgumentException(path + ": unsupported type " + schema.getType());
    }
  }
}
