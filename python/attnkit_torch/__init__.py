"""attnkit_torch: the PyTorch twins of attnkit's Go models.

Each module builds one model with the parameter names, shapes and
configuration JSON of its Go package, so a model file moves between the
two without conversion:

    ram             pkg/ram, the glimpse model (glimpse)
    lpa             pkg/lpa, Learn To Pay Attention (lpa)
    caption         pkg/caption, Show, Attend and Tell (caption)
    imgtx           pkg/imgtx, the local-1D Image Transformer (imgtx)
    nonlocal_block  pkg/nonlocal.Block, the non-local block
    nonlocal_net    pkg/nonlocal.Model, the C2D/I3D network (nonlocal)

safetensors reads and writes the model files, data reads the datasets the
Go tools export (`glimpse render --format npz`, `lpa render --format npz`,
`nonlocal render --format npz`, `imgtx render --format npz`), and
train_glimpse, train_lpa, train_nonlocal, train_imgtx and evaluate are the
command-line entry points (python -m
attnkit_torch.train_glimpse ...), made to run under torchrun.
See README.md beside this file.
"""
