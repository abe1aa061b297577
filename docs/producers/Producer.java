// Publishes three metrics.cpu.usage events in a route's wire format, with the Apache Avro Java library.
//
// usage: java -cp <avro and its dependencies> Producer.java <nats-host:port> <subject> raw|confluent|schema-id|single-object <schema.avsc> [numericid]
//
// Debian ships no Java NATS client, so this speaks the NATS protocol over a socket (HPUB with a
// reply subject, so JetStream's acknowledgement is awaited); with jnats use JetStream.publish.

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;

public class Producer {
  static String readLine(BufferedInputStream in) throws Exception {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) throw new IllegalStateException("NATS closed the connection");
      if (c != '\r') line.append((char) c);
    }
    return line.toString();
  }

  static String publish(OutputStream out, BufferedInputStream in, String subject, String id, byte[] payload) throws Exception {
    byte[] headers = ("NATS/1.0\r\nNats-Msg-Id: " + id + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    out.write(("HPUB " + subject + " _INBOX.java " + headers.length + " " + (headers.length + payload.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(headers);
    out.write(payload);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    while (true) {
      String line = readLine(in);
      if (line.equals("PING")) {
        out.write("PONG\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } else if (line.startsWith("MSG ")) {
        String[] parts = line.split(" ");
        byte[] ack = in.readNBytes(Integer.parseInt(parts[parts.length - 1]) + 2);
        String text = new String(ack, 0, ack.length - 2, StandardCharsets.UTF_8);
        if (text.contains("\"error\"")) throw new IllegalStateException("JetStream refused " + id + ": " + text);
        return text;
      } else if (line.startsWith("-ERR")) {
        throw new IllegalStateException(line);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    String[] hostPort = args[0].split(":");
    String subject = args[1];
    String wireFormat = args[2];
    Schema schema = new Schema.Parser().parse(new File(args[3]));
    int numericId = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
    // Java frames with the specification's fingerprint (SchemaNormalization): the registry's variant "spec".
    BinaryMessageEncoder<GenericRecord> singleObject = new BinaryMessageEncoder<>(GenericData.get(), schema);

    try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
      OutputStream out = socket.getOutputStream();
      BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
      readLine(in); // INFO
      out.write("CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nSUB _INBOX.java 1\r\n".getBytes(StandardCharsets.US_ASCII));
      for (int n = 1; n <= 3; n++) {
        String id = "java-" + wireFormat + "-" + n;
        GenericRecord data = new GenericData.Record(schema.getField("data").schema());
        data.put("name", "cpu.usage");
        data.put("value", 10.5 * n);
        data.put("unit", "percent");
        data.put("tags", Map.of("host", "java"));
        GenericRecord event = new GenericData.Record(schema);
        event.put("id", id);
        event.put("type", "metrics.cpu.usage");
        event.put("version", "v1");
        event.put("source", "docs/producers/Producer.java");
        event.put("time", 1767225600000L + n); // timestamp-millis as a plain long (no conversions registered)
        event.put("data", data);

        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        if (wireFormat.equals("single-object")) {
          ByteBuffer frame = singleObject.encode(event);
          payload.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        } else {
          if (wireFormat.equals("confluent")) payload.write(0);
          if (!wireFormat.equals("raw")) payload.write(ByteBuffer.allocate(4).putInt(numericId).array());
          BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(payload, null);
          writer.write(event, encoder);
          encoder.flush();
        }
        System.out.println(id + " " + publish(out, in, subject, id, payload.toByteArray()));
      }
    }
  }
}
