// A Java producer for the ingestion plane: Apache Avro encodes (its BinaryMessageEncoder writes
// single-object frames), JetStream stores.
//
// Fetches the writer schema from the registry (the schema's default version; its numericid comes in
// the xRegistry-numericid header), encodes --count events of the example schema (metrics.cpu.usage),
// frames each in the --format the route declares and publishes it with Nats-Msg-Id = the event id.
//
//   java -cp "$(ls /usr/share/java/{avro,jackson-core-asl,jackson-mapper-asl,slf4j-api}.jar | paste -sd:)" \
//     examples/producers/java/Produce.java --format single-object --subject metrics.cpu.usage.v1
//
// With the NATS Java client (io.nats:jnats) the publish is
//   nc.jetStream().publish(NatsMessage.builder().subject(s).data(bytes).headers(new Headers().put("Nats-Msg-Id", id)).build());
// it is not packaged for Debian, so this file speaks the few lines of the NATS text protocol it needs
// (HPUB with a reply subject, to read JetStream's acknowledgement).

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;

public class Produce {
  static final List<String> FORMATS = List.of("raw", "schema-id", "confluent", "single-object");
  static final String USAGE =
      "usage: Produce.java [--nats URL] [--registry URL] [--schema PATH] [--subject S]\n"
          + "                    [--format raw|schema-id|confluent|single-object] [--count N] [--id-prefix P] [--time-ms MS]";

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>(Map.of(
        "nats", "nats://127.0.0.1:4222", "registry", "http://127.0.0.1:3000",
        "schema", "/schemagroups/metrics/schemas/cpu-usage", "subject", "metrics.cpu.usage.v1",
        "format", "raw", "count", "3", "id-prefix", "java-example", "time-ms", "1767225600123"));
    for (int i = 0; i < argv.length; i++) {
      if (argv[i].equals("--help") || argv[i].equals("-h")) {
        System.out.println(USAGE);
        return;
      }
      String name = argv[i].startsWith("--") ? argv[i].substring(2) : "";
      if (!args.containsKey(name) || i + 1 >= argv.length) usage("unknown option or missing value: " + argv[i]);
      args.put(name, argv[++i]);
    }
    String format = args.get("format");
    if (!FORMATS.contains(format)) usage("--format must be one of " + FORMATS + ", got \"" + format + "\"");
    int count = Integer.parseInt(args.get("count"));
    if (count < 1) usage("--count must be at least 1");

    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(args.get("registry") + args.get("schema"))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) throw new IOException("GET " + args.get("schema") + ": HTTP " + response.statusCode());
    int schemaId = Integer.parseInt(response.headers().firstValue("xRegistry-numericid")
        .orElseThrow(() -> new IOException("no xRegistry-numericid header")));
    Schema schema = new Schema.Parser().parse(response.body());

    try (JetStreamPublisher publisher = new JetStreamPublisher(args.get("nats"))) {
      for (int n = 0; n < count; n++) {
        String id = args.get("id-prefix") + "-" + n;
        GenericRecord event = event(schema, id, Long.parseLong(args.get("time-ms")) + n, 12.5 + n);
        publisher.publish(args.get("subject"), frame(schema, format, schemaId, event), id);
        System.out.println(id);
      }
    }
    System.err.printf("published %d %s event(s) on %s (schema id %d)%n", count, format, args.get("subject"), schemaId);
  }

  static void usage(String problem) {
    System.err.println(problem + "\n" + USAGE);
    System.exit(2);
  }

  static GenericRecord event(Schema schema, String id, long timeMs, double value) {
    Schema dataSchema = schema.getField("data").schema();
    GenericRecord data = new GenericData.Record(dataSchema);
    data.put("name", "cpu.usage");
    data.put("value", value);
    data.put("unit", "%");
    data.put("tags", Map.of("host", "java-1"));
    GenericRecord event = new GenericData.Record(schema);
    event.put("id", id);
    event.put("type", "metrics.cpu.usage");
    event.put("version", "v1");
    event.put("source", "java-example");
    event.put("time", timeMs); // timestamp-millis: the long itself (no conversion registered)
    event.put("data", data);
    return event;
  }

  static byte[] frame(Schema schema, String format, int schemaId, GenericRecord event) throws IOException {
    if (format.equals("single-object")) {
      // C3 01, the CRC-64-AVRO fingerprint of Java's Parsing Canonical Form, the body.
      ByteBuffer framed = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(event);
      byte[] bytes = new byte[framed.remaining()];
      framed.get(bytes);
      return bytes;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (format.equals("confluent")) out.write(0); // Confluent's magic byte
    if (!format.equals("raw")) out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(event, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  /** Publishes to a JetStream subject over the NATS text protocol and waits for the stream's ack. */
  static final class JetStreamPublisher implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    JetStreamPublisher(String url) throws IOException {
      URI uri = URI.create(url);
      socket = new Socket(uri.getHost(), uri.getPort());
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
      if (!readLine().startsWith("INFO ")) throw new IOException("not a NATS server: " + url);
      send("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true}\r\nSUB _INBOX.java-producer 1\r\n");
    }

    void publish(String subject, byte[] payload, String msgId) throws IOException {
      byte[] headers = ("NATS/1.0\r\nNats-Msg-Id: " + msgId + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      send("HPUB " + subject + " _INBOX.java-producer " + headers.length + " " + (headers.length + payload.length) + "\r\n");
      out.write(headers);
      out.write(payload);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      for (;;) {
        String line = readLine();
        if (line.startsWith("PING")) send("PONG\r\n");
        else if (line.startsWith("-ERR")) throw new IOException("NATS: " + line);
        else if (line.startsWith("MSG ") || line.startsWith("HMSG ")) {
          String[] parts = line.split(" ");
          byte[] body = in.readNBytes(Integer.parseInt(parts[parts.length - 1]) + 2);
          String text = new String(body, 0, body.length - 2, StandardCharsets.UTF_8);
          // A status reply (503 no responders: no stream takes the subject) or a JetStream error.
          if (line.startsWith("HMSG ") || text.contains("\"error\"")) throw new IOException("publish to " + subject + ": " + text.trim());
          return;
        }
      }
    }

    private String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) throw new IOException("NATS closed the connection");
        if (b != '\r') line.write(b);
      }
      return line.toString(StandardCharsets.UTF_8);
    }

    private void send(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
