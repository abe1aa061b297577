// A Go producer for the ingestion plane: goavro encodes, nats.go publishes through JetStream.
//
// It fetches the writer schema from the registry (the schema's default version, with its
// numericid in the xRegistry-numericid header), encodes -count events of the example schema
// (metrics.cpu.usage), frames each in the -format the route declares, and publishes it with
// Nats-Msg-Id = the event id, so a retried publish is not stored twice.
//
//	go run ./examples/producers/go -format single-object -subject metrics.cpu.usage.v1
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/nats-io/nats.go"
)

type options struct {
	natsURL, registryURL, schemaPath, subject, format, idPrefix string
	count                                                       int
	timeMs                                                      int64
}

func parseOptions() options {
	var o options
	flag.StringVar(&o.natsURL, "nats", "nats://127.0.0.1:4222", "NATS server URL")
	flag.StringVar(&o.registryURL, "registry", "http://127.0.0.1:3000", "registry API URL")
	flag.StringVar(&o.schemaPath, "schema", "/schemagroups/metrics/schemas/cpu-usage", "the route's schema in the registry")
	flag.StringVar(&o.subject, "subject", "metrics.cpu.usage.v1", "subject to publish on (the route's)")
	flag.StringVar(&o.format, "format", "raw", "wire format the route declares: raw, schema-id, confluent or single-object")
	flag.IntVar(&o.count, "count", 3, "events to publish")
	flag.StringVar(&o.idPrefix, "id-prefix", "go-example", "event ids are <prefix>-<n>")
	flag.Int64Var(&o.timeMs, "time-ms", 1767225600123, "event time of the first event, epoch milliseconds")
	flag.Parse()
	switch o.format {
	case "raw", "schema-id", "confluent", "single-object":
	default:
		fmt.Fprintf(os.Stderr, "-format must be raw, schema-id, confluent or single-object, got %q\n", o.format)
		os.Exit(2)
	}
	if o.count < 1 {
		fmt.Fprintln(os.Stderr, "-count must be at least 1")
		os.Exit(2)
	}
	return o
}

// fetchSchema returns the schema document and its registry number (numericid).
func fetchSchema(o options) (string, uint32, error) {
	response, err := http.Get(o.registryURL + o.schemaPath)
	if err != nil {
		return "", 0, fmt.Errorf("registry %s: %w", o.registryURL, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil || response.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("GET %s: HTTP %d %s", o.schemaPath, response.StatusCode, body)
	}
	id, err := strconv.ParseUint(response.Header.Get("xRegistry-numericid"), 10, 32)
	if err != nil {
		return "", 0, fmt.Errorf("GET %s: no xRegistry-numericid header", o.schemaPath)
	}
	return string(body), uint32(id), nil
}

// frame puts the event's Avro body in the route's wire format.
func frame(codec *goavro.Codec, format string, schemaID uint32, event map[string]interface{}) ([]byte, error) {
	switch format {
	case "single-object":
		// goavro writes the frame itself: C3 01, its CRC-64-AVRO fingerprint (little-endian), the body.
		return codec.SingleFromNative(nil, event)
	case "confluent", "schema-id":
		header := make([]byte, 0, 5)
		if format == "confluent" {
			header = append(header, 0) // Confluent's magic byte
		}
		header = binary.BigEndian.AppendUint32(header, schemaID)
		return codec.BinaryFromNative(header, event)
	default:
		return codec.BinaryFromNative(nil, event)
	}
}

func main() {
	o := parseOptions()
	document, schemaID, err := fetchSchema(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	codec, err := goavro.NewCodec(document)
	if err != nil {
		fmt.Fprintln(os.Stderr, "schema:", err)
		os.Exit(1)
	}
	nc, err := nats.Connect(o.natsURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nats:", err)
		os.Exit(1)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		fmt.Fprintln(os.Stderr, "jetstream:", err)
		os.Exit(1)
	}
	for n := 0; n < o.count; n++ {
		id := fmt.Sprintf("%s-%d", o.idPrefix, n)
		event := map[string]interface{}{
			"id":      id,
			"type":    "metrics.cpu.usage",
			"version": "v1",
			"source":  "go-example",
			// goavro takes a time.Time for timestamp-millis and writes its milliseconds.
			"time": time.UnixMilli(o.timeMs + int64(n)).UTC(),
			"data": map[string]interface{}{
				"name":  "cpu.usage",
				"value": 12.5 + float64(n),
				"unit":  goavro.Union("string", "%"),
				"tags":  map[string]interface{}{"host": "go-1"},
			},
		}
		payload, err := frame(codec, o.format, schemaID, event)
		if err != nil {
			fmt.Fprintln(os.Stderr, "encode:", err)
			os.Exit(1)
		}
		if _, err := js.Publish(o.subject, payload, nats.MsgId(id)); err != nil {
			fmt.Fprintln(os.Stderr, "publish:", err)
			os.Exit(1)
		}
		fmt.Println(id)
	}
	fmt.Fprintf(os.Stderr, "published %d %s event(s) on %s (schema id %d, fingerprint %016x)\n", o.count, o.format, o.subject, schemaID, codec.Rabin)
}
