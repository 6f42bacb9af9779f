// Package caption is Show, Attend and Tell (Xu, Ba, Kiros, Cho, Courville,
// Salakhutdinov, Zemel and Bengio, ICML 2015): a CNN encoder whose last
// feature map before pooling is a grid of annotation vectors, and an LSTM
// decoder that attends to them before every word (Model; soft, hard or no
// attention), trained with teacher forcing through the shared loop
// (Train, PretrainEncoder) and decoded by batched beam search (Decode).
//
// It also holds what does not depend on the model: corpus metrics
// (BLEU-1..4, CIDEr-D), content metrics on the generated scenes of
// pkg/data (object F1, relation accuracy), attention correctness, the
// reader of users' data in the Karpathy-split JSON format and the
// vocabulary's JSON form. Every score is on the 0–1 scale except CIDEr-D,
// which COCO's evaluation scales by 10.
//
// Parameter names match the PyTorch twin, python/attnkit_torch/caption.py,
// whose golden fixtures (written by bench/torch/caption.py) TestGoldenTwin
// checks.
package caption

//go:generate /usr/bin/python3 ../../bench/torch/caption.py --golden
