"""numpy's other spellings of functions defined in the family modules (the array-API names
of numpy 2, and ``around``); each is the same mlkit function as its original."""

import numpy

from mlkit.numpy.rules.elementwise import round
from mlkit.numpy.rules.inverse_trig import arccos, arccosh, arcsin, arcsinh, arctan, arctanh
from mlkit.numpy.rules.polar import arctan2
from mlkit.numpy.rules.powers import power
from mlkit.numpy.wrap import dispatch_from

__all__ = ["acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "pow", "around"]

acos, acosh, asin, asinh = arccos, arccosh, arcsin, arcsinh
atan, atan2, atanh = arctan, arctan2, arctanh
pow = power
around = round
dispatch_from(round, numpy.around)
