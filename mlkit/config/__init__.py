"""YAML configs: load, validate into a typed schema, override, build components."""

from .errors import ConfigError as ConfigError
from .errors import Problem as Problem
from .load import apply_overrides as apply_overrides
from .load import config_to_dict as config_to_dict
from .load import config_to_yaml as config_to_yaml
from .load import load_config as load_config
from .load import validate_config as validate_config
from .schema import COMPONENT_NAMES as COMPONENT_NAMES
from .schema import Config as Config
