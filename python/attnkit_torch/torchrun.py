"""torchrun, with a fix for torch 1.13 on Python 3.11.

    python3 -m attnkit_torch.torchrun --nproc_per_node 2 -m attnkit_torch.train_glimpse ...

takes torchrun's arguments. torch 1.13's torchrun (Debian bookworm's
python3-torch) fails at start on Python 3.11 with "AttributeError:
'NoneType' object has no attribute 'get'": Std.from_str finds the value of
--redirects and --tee by iterating over an IntFlag, and Python 3.11 no
longer yields the zero member (NONE) or multi-bit ones (ALL) that way
(pytorch/pytorch#92319, fixed in torch 2.0). This module replaces
from_str with one that converts the value directly, then runs torchrun
unchanged. Where torchrun works it changes nothing: use plain `torchrun`.
"""

import re

from torch.distributed.elastic.multiprocessing import api


def _from_str(cls, vm):
    if re.match(api._VALUE_REGEX, vm):
        return cls(int(vm))
    if re.match(api._MAPPING_REGEX, vm):
        return {int(i): cls(int(v)) for i, v in (m.split(":") for m in vm.split(","))}
    raise ValueError(f"{vm} does not match: <{api._VALUE_REGEX}> or <{api._MAPPING_REGEX}>")


def patch():
    """Install the fix when this torch needs it."""
    if api.Std.from_str("0") is None:
        api.Std.from_str = classmethod(_from_str)


if __name__ == "__main__":
    patch()
    from torch.distributed.run import main

    main()
