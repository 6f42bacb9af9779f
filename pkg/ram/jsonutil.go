package ram

import "encoding/json"

func jsonOf(v any) ([]byte, error)   { return json.Marshal(v) }
func jsonInto(b []byte, v any) error { return json.Unmarshal(b, v) }
