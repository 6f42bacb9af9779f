package trainrun

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/attnkit/attn/pkg/cliutil"
)

// objectJSON encodes fields as one JSON object with the keys in the
// order given (a map would sort them; logs and state files keep the order
// a person reads them in). what names the object in errors.
func objectJSON(what string, fields []cliutil.Field) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Key)
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", what, f.Key, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// rawObject is a decoded JSON object whose values are read key by key.
type rawObject struct {
	what string // names the object in errors
	m    map[string]json.RawMessage
}

func parseObject(what string, data []byte) (rawObject, error) {
	o := rawObject{what: what}
	err := json.Unmarshal(data, &o.m)
	return o, err
}

// get decodes the value of key into dst; a missing key or null leaves dst
// as it is.
func (o rawObject) get(key string, dst any) error {
	raw, ok := o.m[key]
	if !ok || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("%s %s: %w", o.what, key, err)
	}
	return nil
}
