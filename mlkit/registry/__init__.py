"""Components by name, each declared once by its own class or function.

The config layer and the estimators build everything through these tables, so a name means
the same component everywhere, and the config schema is derived from each entry's signature.
``make_*`` raise :class:`UnknownComponent` listing the valid names (with the closest one).
"""

from .components import LOSSES as LOSSES
from .components import METRICS as METRICS
from .components import MODELS as MODELS
from .components import MONITORS as MONITORS
from .components import OPTIMIZERS as OPTIMIZERS
from .components import PYTHON_ONLY as PYTHON_ONLY
from .components import SCHEDULES as SCHEDULES
from .components import Component as Component
from .components import MetricName as MetricName
from .components import MonitorName as MonitorName
from .components import Objective as Objective
from .components import UnknownComponent as UnknownComponent
from .components import make_loss as make_loss
from .components import make_model as make_model
from .components import make_optimizer as make_optimizer
from .components import make_schedule as make_schedule
from .components import penalized_weights as penalized_weights
from .components import weight_penalty as weight_penalty
from .signatures import REQUIRED as REQUIRED
from .signatures import Option as Option
