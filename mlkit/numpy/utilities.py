"""numpy's functions that compute no number a derivative could flow through, declared so.

Error and print settings, type queries and promotion, formatting, file input and output, dates,
index generators, bit operations and window shapes: each result is a constant (a setting, a
dtype, a string, integers or a fixed table), so traced arguments are read by their value.
numpy's in-place writers, and the few functions with a derivative mlkit does not give, work on
plain arrays and refuse traced values with a clear error.
"""

import numpy

from mlkit.numpy.wrap import in_place, nondifferentiable, refused

__all__ = [
    # floating-point error handling, printing and buffers
    "seterr", "geterr", "seterrcall", "geterrcall", "set_printoptions", "get_printoptions",
    "printoptions", "setbufsize", "getbufsize",
    # types: queries and promotion
    "can_cast", "promote_types", "min_scalar_type", "common_type", "mintypecode", "issubdtype",
    "isdtype", "typename", "iterable", "broadcast_shapes",
    # text
    "array2string", "array_repr", "array_str", "format_float_positional",
    "format_float_scientific", "base_repr", "binary_repr",
    # memory layout
    "may_share_memory", "shares_memory", "isfortran", "nested_iters",
    # files and buffers
    "load", "save", "savez", "savez_compressed", "loadtxt", "savetxt", "genfromtxt", "fromfile",
    "frombuffer", "fromstring", "fromregex", "fromiter", "fromfunction", "frompyfunc",
    "from_dlpack",
    # dates
    "busday_count", "busday_offset", "is_busday", "datetime_as_string", "datetime_data", "isnat",
    # integer index tables
    "diag_indices", "diag_indices_from", "tril_indices", "tril_indices_from", "triu_indices",
    "triu_indices_from", "mask_indices", "ix_", "ravel_multi_index", "unravel_index", "lexsort",
    "nanargmax", "nanargmin", "isin", "array_equiv", "isneginf", "isposinf",
    # integer and bit arithmetic
    "gcd", "lcm", "invert", "bitwise_not", "bitwise_invert", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_count", "left_shift", "right_shift", "bitwise_left_shift",
    "bitwise_right_shift", "packbits", "unpackbits",
    # window shapes of a given length
    "bartlett", "blackman", "hamming", "hanning",
    # contraction order of an einsum (computed from shapes)
    "einsum_path",
    # writes into an existing array (plain arrays only)
    "copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis",
    # values mlkit gives no derivative for (plain arrays only; traced values are refused)
    "i0", "kaiser", "asmatrix", "bmat",
    # information about the installation
    "info", "show_config", "show_runtime", "get_include",
]

seterr = nondifferentiable(numpy.seterr)
geterr = nondifferentiable(numpy.geterr)
seterrcall = nondifferentiable(numpy.seterrcall)
geterrcall = nondifferentiable(numpy.geterrcall)
set_printoptions = nondifferentiable(numpy.set_printoptions)
get_printoptions = nondifferentiable(numpy.get_printoptions)
printoptions = nondifferentiable(numpy.printoptions)
setbufsize = nondifferentiable(numpy.setbufsize)
getbufsize = nondifferentiable(numpy.getbufsize)

can_cast = nondifferentiable(numpy.can_cast)
promote_types = nondifferentiable(numpy.promote_types)
min_scalar_type = nondifferentiable(numpy.min_scalar_type)
common_type = nondifferentiable(numpy.common_type)
mintypecode = nondifferentiable(numpy.mintypecode)
issubdtype = nondifferentiable(numpy.issubdtype)
isdtype = nondifferentiable(numpy.isdtype)
typename = nondifferentiable(numpy.typename)
iterable = nondifferentiable(numpy.iterable)
broadcast_shapes = nondifferentiable(numpy.broadcast_shapes)

array2string = nondifferentiable(numpy.array2string)
array_repr = nondifferentiable(numpy.array_repr)
array_str = nondifferentiable(numpy.array_str)
format_float_positional = nondifferentiable(numpy.format_float_positional)
format_float_scientific = nondifferentiable(numpy.format_float_scientific)
base_repr = nondifferentiable(numpy.base_repr)
binary_repr = nondifferentiable(numpy.binary_repr)

may_share_memory = nondifferentiable(numpy.may_share_memory)
shares_memory = nondifferentiable(numpy.shares_memory)
isfortran = nondifferentiable(numpy.isfortran)
nested_iters = nondifferentiable(numpy.nested_iters)

load = nondifferentiable(numpy.load)
save = nondifferentiable(numpy.save)
savez = nondifferentiable(numpy.savez)
savez_compressed = nondifferentiable(numpy.savez_compressed)
loadtxt = nondifferentiable(numpy.loadtxt)
savetxt = nondifferentiable(numpy.savetxt)
genfromtxt = nondifferentiable(numpy.genfromtxt)
fromfile = nondifferentiable(numpy.fromfile)
frombuffer = nondifferentiable(numpy.frombuffer)
fromstring = nondifferentiable(numpy.fromstring)
fromregex = nondifferentiable(numpy.fromregex)
fromiter = nondifferentiable(numpy.fromiter)
fromfunction = nondifferentiable(numpy.fromfunction)
frompyfunc = nondifferentiable(numpy.frompyfunc)
from_dlpack = nondifferentiable(numpy.from_dlpack)

busday_count = nondifferentiable(numpy.busday_count)
busday_offset = nondifferentiable(numpy.busday_offset)
is_busday = nondifferentiable(numpy.is_busday)
datetime_as_string = nondifferentiable(numpy.datetime_as_string)
datetime_data = nondifferentiable(numpy.datetime_data)
isnat = nondifferentiable(numpy.isnat)

diag_indices = nondifferentiable(numpy.diag_indices)
diag_indices_from = nondifferentiable(numpy.diag_indices_from)
tril_indices = nondifferentiable(numpy.tril_indices)
tril_indices_from = nondifferentiable(numpy.tril_indices_from)
triu_indices = nondifferentiable(numpy.triu_indices)
triu_indices_from = nondifferentiable(numpy.triu_indices_from)
mask_indices = nondifferentiable(numpy.mask_indices)
ix_ = nondifferentiable(numpy.ix_)
ravel_multi_index = nondifferentiable(numpy.ravel_multi_index)
unravel_index = nondifferentiable(numpy.unravel_index)
lexsort = nondifferentiable(numpy.lexsort)
nanargmax = nondifferentiable(numpy.nanargmax)
nanargmin = nondifferentiable(numpy.nanargmin)
isin = nondifferentiable(numpy.isin)
array_equiv = nondifferentiable(numpy.array_equiv)
isneginf = nondifferentiable(numpy.isneginf)
isposinf = nondifferentiable(numpy.isposinf)

gcd = nondifferentiable(numpy.gcd)
lcm = nondifferentiable(numpy.lcm)
invert = bitwise_not = bitwise_invert = nondifferentiable(numpy.invert)
bitwise_and = nondifferentiable(numpy.bitwise_and)
bitwise_or = nondifferentiable(numpy.bitwise_or)
bitwise_xor = nondifferentiable(numpy.bitwise_xor)
bitwise_count = nondifferentiable(numpy.bitwise_count)
left_shift = bitwise_left_shift = nondifferentiable(numpy.left_shift)
right_shift = bitwise_right_shift = nondifferentiable(numpy.right_shift)
packbits = nondifferentiable(numpy.packbits)
unpackbits = nondifferentiable(numpy.unpackbits)

bartlett = nondifferentiable(numpy.bartlett)
blackman = nondifferentiable(numpy.blackman)
hamming = nondifferentiable(numpy.hamming)
hanning = nondifferentiable(numpy.hanning)

einsum_path = nondifferentiable(numpy.einsum_path)

copyto = in_place(numpy.copyto)
put = in_place(numpy.put)
place = in_place(numpy.place)
putmask = in_place(numpy.putmask)
fill_diagonal = in_place(numpy.fill_diagonal)
put_along_axis = in_place(numpy.put_along_axis)

i0 = refused(numpy.i0, "has no derivative in mlkit.numpy; use mlkit.scipy.special.i0, which "
              "is differentiable to any order", recordable=True)
kaiser = refused(numpy.kaiser, "has no derivative in beta in mlkit.numpy; build the window from "
                 "mlkit.scipy.special.i0: i0(beta * sqrt(1 - (2 n / (M - 1) - 1) ** 2)) / i0(beta)",
                 recordable=True)
asmatrix = refused(numpy.asmatrix, "makes a numpy.matrix, which mlkit does not trace; keep 2-d "
                   "arrays and multiply them with @")
bmat = refused(numpy.bmat, "makes a numpy.matrix, which mlkit does not trace; join traced "
               "blocks with np.block")

info = nondifferentiable(numpy.info)
show_config = nondifferentiable(numpy.show_config)
show_runtime = nondifferentiable(numpy.show_runtime)
get_include = nondifferentiable(numpy.get_include)
