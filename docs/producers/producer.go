// Publishes three metrics.cpu.usage events in a route's wire format, with goavro and nats.go.
//
// usage: go run producer.go <nats-url> <subject> raw|confluent|schema-id|single-object <schema.avsc> [numericid]
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/linkedin/goavro"
	"github.com/nats-io/nats.go"
)

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	url, subject, wireFormat, schemaFile := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	numericID := uint64(0)
	if len(os.Args) > 5 {
		id, err := strconv.ParseUint(os.Args[5], 10, 32)
		must(err)
		numericID = id
	}
	schema, err := os.ReadFile(schemaFile)
	must(err)
	codec, err := goavro.NewCodec(string(schema))
	must(err)
	nc, err := nats.Connect(url)
	must(err)
	defer nc.Close()
	js, err := nc.JetStream()
	must(err)

	for n := 1; n <= 3; n++ {
		id := fmt.Sprintf("goavro-%s-%d", wireFormat, n)
		event := map[string]interface{}{
			"id": id, "type": "metrics.cpu.usage", "version": "v1", "source": "docs/producers/producer.go",
			"time": time.Date(2026, 1, 1, 0, 0, 0, n*int(time.Millisecond), time.UTC),
			"data": map[string]interface{}{
				"name": "cpu.usage", "value": 10.5 * float64(n), "unit": goavro.Union("string", "percent"),
				"tags": map[string]interface{}{"host": "go"},
			},
		}
		var payload []byte
		switch wireFormat {
		case "single-object":
			// goavro frames with its own fingerprint (Codec.Rabin): the registry's variant "goavro".
			payload, err = codec.SingleFromNative(nil, event)
		case "confluent", "schema-id":
			header := make([]byte, 5)
			binary.BigEndian.PutUint32(header[1:], uint32(numericID))
			if wireFormat == "schema-id" {
				header = header[1:]
			}
			payload, err = codec.BinaryFromNative(header, event)
		default:
			payload, err = codec.BinaryFromNative(nil, event)
		}
		must(err)
		ack, err := js.Publish(subject, payload, nats.MsgId(id))
		must(err)
		fmt.Println(id, ack.Stream, ack.Sequence)
	}
}
