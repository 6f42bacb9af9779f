// Package nonlocal is "Non-local Neural Networks" (Wang, Girshick, Gupta
// and He, CVPR 2018): a block that lets every position of a feature map,
// or of a clip's spacetime volume, see every other position in one step.
//
// The non-local operation (eq. 1 of the paper) is
//
//	y_i = (1/C(x)) Σ_j f(x_i, x_j) g(x_j),
//
// with g a 1×1 (1×1×1 for clips) convolution, and the block (eq. 6) is the
// residual
//
//	z_i = W_z y_i + x_i,
//
// where W_z is a 1×1 convolution followed by batch normalisation whose
// scale starts at zero, so a freshly inserted block is the identity and
// can be added to a pre-trained network (section 4.1).
//
// Block implements the four pairwise functions of section 3.2 (Gaussian,
// embedded Gaussian, dot product and concatenation), the subsampling of
// section 3.3 (a 2×2 spatial max-pool after φ and g, which keeps a quarter
// of the pairs), an optional 1/√d scaling of θᵀφ, and both the 2-D
// (images, [N, C, H, W]) and spacetime 3-D (clips, [N, C, T, H, W])
// versions. Block.Attend also returns the normalised pairwise weights
// f(x_i, x_j)/C(x) that the paper's figures draw as arrows.
//
// The PyTorch twin python/attnkit_torch/nonlocal_block.py implements the
// same block (bench/torch/nonlocal.py writes its fixtures);
// golden_test.go checks the two against each other both ways.
//
// Model is the network of the paper's video experiments at toy scale: a
// small ResNet applied to every frame (C2D, averaged over space and time
// at the end), or with inflated 3×3×3 kernels (I3D), with 0, 1 or 5 blocks
// at the stages the paper uses (Config). The same network takes images
// with 2-D blocks. Its built-in clip task (data.SumClip) labels two digits
// that are never on screen together with their sum mod 10, a relation a
// per-frame network averaged over time cannot express. Train runs the
// shared loop (trainrun.Fit), Evaluate counts errors, Ablate trains the
// rows of the paper's Table 2, and Links and TopQueries give the arrows of
// its figures (ArrowPicture, Filmstrip, ClipFrames draw them).
// python/attnkit_torch/nonlocal_net.py is the network's twin.
package nonlocal

//go:generate /usr/bin/python3 ../../bench/torch/nonlocal.py --golden
