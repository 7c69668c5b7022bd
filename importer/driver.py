# hubgen import's loader: it loads a jupyterhub_config.py with the real JupyterHub's config
# loader (traitlets' PyFileConfigLoader, which `jupyterhub -f FILE` runs, from the JupyterHub
# install) and prints, as JSON, the values the file set and the file:line where each was set.
# Only the loading, not the checks of each value against its trait (they import the
# authenticator and spawner classes, which may not be installed here): `jupyterhub
# --show-config-json` would also initialise the hub (JupyterHub 3.0 opens and upgrades the
# database, deletes invalid users and makes system accounts), which an import must never do to a
# running server. Usage: python3 loader.py jupyterhub_config.py > config.json, then
# hubgen import --config-json config.json.
#
# No secret leaves this process: a value that is the contents of a file the config read is printed
# as that file's path, and a file that does not exist here (the config comes from another machine,
# or a test) reads as a marker naming its path, so the config loads anyway and says where its
# secrets live.
import builtins
import io
import json
import os
import sys
import sysconfig

config_path = os.path.abspath(sys.argv[1])
MARK = "\x00hubgen-missing-file:"
real_open = builtins.open
real_stat = os.stat
library_dirs = tuple(
    os.path.join(os.path.realpath(p), "")
    for p in {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")} | {p for p in sys.path if p}
    if os.path.isdir(p)
)
this_file = os.path.abspath(__file__)
config_dir = os.path.join(os.path.dirname(os.path.realpath(config_path)), "")


def user_code(filename):
    """Whether filename is the config (or a file it loaded), not Python's or a library's."""
    if filename.startswith("<"):  # frozen modules (<frozen genericpath>) and exec'd strings
        return False
    filename = os.path.realpath(filename)
    if config_dir != "/" and filename.startswith(config_dir):  # even under /usr/local: the config and what is beside it
        return True
    return filename != this_file and not filename.startswith(library_dirs)


def caller():
    f = sys._getframe(2)
    while f is not None:
        if user_code(f.f_code.co_filename):
            return [f.f_code.co_filename, f.f_lineno]
        f = f.f_back
    return None


def read_by_config(frame):
    """Whether the config itself reads, directly or through pathlib (Path.read_text)."""
    while frame is not None and os.path.basename(frame.f_code.co_filename) == "pathlib.py":
        frame = frame.f_back
    return frame is not None and user_code(frame.f_code.co_filename)


opened = set()


def hub_open(file, mode="r", *args, **kwargs):
    if isinstance(file, (str, bytes, os.PathLike)) and not set(mode) & set("wax+"):
        path = os.path.abspath(os.fsdecode(file))
        try:
            real_stat(path)
        except FileNotFoundError:
            if not read_by_config(sys._getframe(1)):
                raise
            text = MARK + path
            return io.BytesIO(text.encode()) if "b" in mode else io.StringIO(text)
        opened.add(path)
    return real_open(file, mode, *args, **kwargs)


def hub_stat(path, *args, **kwargs):
    try:
        return real_stat(path, *args, **kwargs)
    except FileNotFoundError:
        # Only the config's own checks of its secret files see a stand-in (0600, like the file
        # `hubgen secrets` makes); os.path.exists and the libraries keep the truth.
        if user_code(sys._getframe(1).f_code.co_filename):
            return os.stat_result((0o100600, 0, 0, 1, 0, 0, 0, 0, 0, 0))
        raise


import jupyterhub  # noqa: E402  (the JupyterHub whose loader runs: its traitlets, its Python)
from traitlets.config.loader import Config, LazyConfigValue, PyFileConfigLoader  # noqa: E402

where = {}
real_setitem = Config.__setitem__
real_getitem = Config.__getitem__


def tracking_setitem(self, key, value):
    at = caller()
    if at is not None:
        where[(id(self), key)] = at
    return real_setitem(self, key, value)


def tracking_getitem(self, key):
    fresh = not dict.__contains__(self, key)
    value = real_getitem(self, key)
    if fresh and isinstance(value, LazyConfigValue):
        at = caller()
        if at is not None:
            where[(id(self), key)] = at
    return value


loader = PyFileConfigLoader(os.path.basename(config_path), path=os.path.dirname(config_path))
builtins.open, io.open, os.stat = hub_open, hub_open, hub_stat  # io.open: pathlib's read_text
Config.__setitem__, Config.__getitem__ = tracking_setitem, tracking_getitem
try:
    config = loader.load_config()
except BaseException as e:  # SystemExit too: the config gave up
    builtins.open, io.open, os.stat = real_open, real_open, real_stat
    tb = e.__traceback__
    at = None
    while tb is not None:
        if user_code(tb.tb_frame.f_code.co_filename):
            at = [tb.tb_frame.f_code.co_filename, tb.tb_lineno]
        tb = tb.tb_next
    message = f"{type(e).__name__}: {e}"
    if isinstance(e, SystemExit):
        message = f"the config called sys.exit({e.code!r})"
    json.dump({"error": message, "at": at}, sys.stdout)
    sys.exit(3)
finally:
    builtins.open, io.open, os.stat = real_open, real_open, real_stat
    Config.__setitem__, Config.__getitem__ = real_setitem, real_getitem

contents = {}
for path in opened:
    try:
        with real_open(path, "rb") as f:
            data = f.read(65536).strip()
        if data:
            contents[data.decode("utf-8", "replace")] = path
    except OSError:
        pass


def plain(v):
    if isinstance(v, str):
        if v.startswith(MARK):
            return {"file": v[len(MARK):].strip(), "missing": True}
        if v.strip() in contents:
            return {"file": contents[v.strip()]}
        return v
    if isinstance(v, (bool, int, float)) or v is None:
        return v
    if isinstance(v, bytes):
        return plain(v.decode("utf-8", "replace"))
    if isinstance(v, LazyConfigValue):
        d = v.to_dict()
        if "update" in d:
            return plain(v.get_value({}))
        if "add" in d or "update_set" in d:
            return plain(v.get_value(set()))
        return plain(v.get_value([]))
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (set, frozenset)):
        return sorted((plain(x) for x in v), key=repr)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, type):
        # A class the config defines (hubgen's SiteLTI13Authenticator) is known by its bases and
        # by the constants its methods read, as a function is below.
        mro = [f"{c.__module__}.{c.__qualname__}" for c in v.__mro__]
        names = {}
        for c in v.__mro__:
            for f in vars(c).values():
                for name, g in getattr(f, "__globals__", {}).items():
                    if name.startswith("_") and name.isupper() and isinstance(g, (str, int, float, list, tuple, set, frozenset)):
                        if isinstance(g, (set, frozenset)) and hasattr(f, "__code__") and all(isinstance(x, str) for x in g):
                            g = literal_order(g, [f.__code__.co_filename, 0], name) or g
                        names[name] = plain(g)
        return {"class": mro[0], "mro": mro, "globals": names}
    code = getattr(v, "__code__", None)
    if code is not None:
        names = {}
        for name in code.co_names:
            g = getattr(v, "__globals__", {}).get(name)
            if isinstance(g, (str, int, float, list, tuple)):
                names[name] = plain(g)
        return {"callable": getattr(v, "__qualname__", "?"), "at": [code.co_filename, code.co_firstlineno], "globals": names}
    return {"repr": repr(v)[:200]}


def literal_order(value, at, name=None):
    """A set has no order once built; where the config wrote it as a literal of strings, the
    literal's order (as the admin wrote it) is kept. The members are the evaluated set's: the text
    only orders them, and only when it holds exactly those members. The literal is the assignment
    on the line at, or with name the assignment to that name (a constant a class's methods read)."""
    import ast

    try:
        with real_open(at[0], encoding="utf-8") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        if name is not None:
            here = any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        else:
            here = node.lineno <= at[1] <= (node.end_lineno or node.lineno)
        if here:
            if isinstance(node.value, ast.Set) and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.value.elts):
                order = [e.value for e in node.value.elts]
                if set(order) == value and len(order) == len(value):
                    return order
    return None


sections = {}
located = {}


def walk(prefix, cfg):
    for key in cfg:
        value = dict.__getitem__(cfg, key)
        name = prefix + key
        if isinstance(value, Config):
            walk(name + ".", value)
            continue
        at = where.get((id(cfg), key))
        if isinstance(value, (set, frozenset)) and at is not None and all(isinstance(x, str) for x in value):
            value = literal_order(value, at) or value
        sections[name] = plain(value)
        if at is not None:
            located[name] = at


walk("", config)
json.dump({"jupyterhub": jupyterhub.__version__, "values": sections, "where": located}, sys.stdout, sort_keys=True)
