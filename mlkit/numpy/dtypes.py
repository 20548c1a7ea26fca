"""numpy's scalar types, array classes, dtype objects, constants and index helpers,
re-exported unchanged.

They carry no derivatives: types are used to name dtypes (``x.astype(np.float32)``) and to
check them (``np.issubdtype(x.dtype, np.floating)``); the constants are plain Python floats;
``mgrid``, ``ogrid``, ``s_`` and ``index_exp`` build grids and index expressions of constants.
"""

import numpy
from numpy import (
    ScalarType,
    bool,
    bool_,
    broadcast,
    busdaycalendar,
    byte,
    bytes_,
    cdouble,
    character,
    clongdouble,
    complex64,
    complex128,
    complexfloating,
    csingle,
    datetime64,
    double,
    dtype,
    e,
    errstate,
    euler_gamma,
    finfo,
    flatiter,
    flexible,
    float16,
    float32,
    float64,
    floating,
    generic,
    half,
    iinfo,
    index_exp,
    inexact,
    inf,
    int8,
    int16,
    int32,
    int64,
    int_,
    intc,
    integer,
    intp,
    long,
    longdouble,
    longlong,
    matrix,
    memmap,
    mgrid,
    nan,
    ndarray,
    ndenumerate,
    ndindex,
    nditer,
    newaxis,
    number,
    object_,
    ogrid,
    pi,
    poly1d,
    recarray,
    record,
    s_,
    sctypeDict,
    short,
    signedinteger,
    single,
    str_,
    timedelta64,
    typecodes,
    ubyte,
    ufunc,
    uint,
    uint8,
    uint16,
    uint32,
    uint64,
    uintc,
    uintp,
    ulong,
    ulonglong,
    unsignedinteger,
    ushort,
    void,
)

__version__ = numpy.__version__
little_endian = numpy.little_endian

__all__ = [
    # abstract scalar types
    "generic", "number", "integer", "signedinteger", "unsignedinteger", "inexact", "floating",
    "complexfloating", "character", "flexible",
    # concrete scalar types, by C name and by size
    "bool", "bool_", "byte", "ubyte", "short", "ushort", "intc", "uintc", "int_", "uint", "long",
    "ulong", "longlong", "ulonglong", "intp", "uintp", "int8", "int16", "int32", "int64", "uint8",
    "uint16", "uint32", "uint64", "half", "single", "double", "longdouble", "float16", "float32",
    "float64", "csingle", "cdouble", "clongdouble", "complex64", "complex128", "object_", "str_",
    "bytes_", "void", "datetime64", "timedelta64",
    # dtype objects and machine limits
    "dtype", "finfo", "iinfo", "sctypeDict", "typecodes", "ScalarType",
    # array classes and iterators
    "ndarray", "matrix", "memmap", "recarray", "record", "broadcast", "flatiter", "nditer",
    "ndenumerate", "ndindex", "ufunc", "poly1d", "busdaycalendar", "errstate",
    # constants
    "e", "pi", "inf", "nan", "euler_gamma", "newaxis", "little_endian", "__version__",
    # grids and index expressions
    "mgrid", "ogrid", "s_", "index_exp",
]

# Extended precision has a sized name only where the platform provides it (x86-64: 128 bits).
if hasattr(numpy, "float128"):
    float128, complex256 = numpy.float128, numpy.complex256
    __all__ += ["float128", "complex256"]
