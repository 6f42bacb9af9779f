package data

import (
	"hash/crc32"
	"math"
	"testing"
)

// TestTestSetGolden pins the first samples of each fixed test set: a change
// of the placement recipe would silently change every published score, so
// it must show up here (update the values deliberately if it is meant).
func TestTestSetGolden(t *testing.T) {
	loadMNISTOrSkip(t, "test")
	golden := map[string]struct {
		boxes [3]Box
		crc   uint32 // CRC-32 of the three images' float32 bits, little-endian
	}{
		"mnist":        {[3]Box{{6, 7, 22, 27}, {7, 3, 27, 23}, {10, 4, 19, 24}}, 0x2b45aa28},
		"translated":   {[3]Box{{16, 13, 32, 33}, {17, 3, 37, 23}, {25, 9, 34, 29}}, 0xfb47910f},
		"cluttered60":  {[3]Box{{16, 13, 32, 33}, {17, 3, 37, 23}, {25, 9, 34, 29}}, 0x35ed7d69},
		"cluttered100": {[3]Box{{29, 20, 45, 40}, {31, 3, 51, 23}, {45, 15, 54, 35}}, 0x26563b0a},
	}
	for _, task := range Tasks() {
		g, err := TestSet(task, DefaultTestSeed)
		if err != nil {
			t.Fatal(err)
		}
		h := crc32.NewIEEE()
		want := golden[task.Name]
		for i := range want.boxes {
			img, _, box, _ := g.Sample(i)
			if box != want.boxes[i] {
				t.Errorf("%s sample %d: box %v, golden %v", task.Name, i, box, want.boxes[i])
			}
			for _, v := range img {
				b := math.Float32bits(v)
				h.Write([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)})
			}
		}
		if h.Sum32() != want.crc {
			t.Errorf("%s: images CRC %#x, golden %#x", task.Name, h.Sum32(), want.crc)
		}
	}
}

func TestGeneratorBatchAllocs(t *testing.T) {
	task, _ := TaskByName("cluttered100")
	g, _ := NewGenerator(task, fakeDigits(20, 1), 1)
	idx := []int{3, 1, 4, 1, 5}
	dst := make([]float32, len(idx)*task.Pixels())
	if n := testing.AllocsPerRun(10, func() { g.Batch(idx, dst) }); n != 0 {
		t.Fatalf("Batch allocates %v times", n)
	}
}
