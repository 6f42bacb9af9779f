// Package caption holds the parts of the image-captioning tool that do not
// depend on the model: corpus metrics (BLEU-1..4, CIDEr-D), content
// metrics on the generated scenes of pkg/data (object F1, relation
// accuracy), attention correctness, the reader of users' data in the
// Karpathy-split JSON format and the vocabulary's JSON form.
//
// The model is Show, Attend and Tell (Xu, Ba, Kiros, Cho, Courville,
// Salakhutdinov, Zemel and Bengio, ICML 2015), which reports BLEU-1..4 and
// METEOR on Flickr8k, Flickr30k and COCO. Every score here is on the 0–1
// scale except CIDEr-D, which COCO's evaluation scales by 10.
package caption
