"""Interaction logs in, item sequences out.

A log is a table of events (who, what, when): a CSV/TSV file, a Parquet file, or a
pandas DataFrame.  :func:`read_events` picks the columns, checks every row and turns
ids into strings; :func:`sessionize` orders each user's events in time, splits them at
inactivity gaps and drops consecutive repeats.  The result, an *events table*, has one
row per kept event, in user-then-time order, with integer ``user`` and ``session`` codes
and the ``item`` as a string.  A plain text file with one session per line (item ids
separated by white space) gives the same table through :func:`read_session_lines`.

Everything is done with whole-column pandas/numpy operations: there is no Python work
per event, only per session where a list has to be handed to the trainer.
"""
import itertools
import os
import re
import warnings

import numpy as np
import pandas as pd

from ..compression import failure_of, open_file
from ..errors import W2VError

_COMPRESSED = (".gz", ".bz2", ".xz")     # pandas undoes these by the name; text lines by content
_PARQUET = (".parquet", ".pq")
_SEPARATORS = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
_SHOWN_BAD_ROWS = 3


class EventsReport:
    """What reading a log did: rows seen, rows skipped, and why."""

    def __init__(self, source, rows=0, skipped=0, reasons=None):
        self.source = source
        self.rows = rows
        self.skipped = skipped
        self.reasons = reasons or {}

    def __repr__(self):
        return f"EventsReport(source={self.source!r}, rows={self.rows}, skipped={self.skipped}, reasons={self.reasons})"


# -- reading tables ---------------------------------------------------------------------------
def _suffixes(path):
    """The format suffix of ``path`` and whether it is compressed (".csv.gz" → (".csv", ".gz"))."""
    stem, ext = os.path.splitext(os.fspath(path).lower())
    if ext in _COMPRESSED:
        return os.path.splitext(stem)[1], ext
    return ext, ""


def is_table_file(path):
    """True when ``path`` looks like a CSV/TSV/Parquet log rather than one-session-per-line text."""
    fmt, _ = _suffixes(path)
    return fmt in _SEPARATORS or fmt in _PARQUET


def _column_names(path, sep=None):
    """The column names of a Parquet, CSV or TSV file, from its header alone (clear errors)."""
    fmt, _ = _suffixes(path)
    if fmt in _PARQUET:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise W2VError(f"{path}: reading Parquet needs pyarrow: pip install w2v[parquet]") from None
        try:
            return pq.read_schema(path).names
        except Exception as exc:  # pyarrow raises several unrelated types for a bad file
            raise W2VError(f"{path}: not a readable Parquet file: {exc}") from None
    try:
        with open_file(path, text=True)[0] as handle:
            try:
                return list(pd.read_csv(handle, sep=sep or _SEPARATORS.get(fmt, ","), nrows=0).columns)
            except pd.errors.ParserError:
                if failure_of(handle):
                    raise failure_of(handle) from None
                raise
    except pd.errors.EmptyDataError:
        raise W2VError(f"{path}: the file is empty (expected a header line naming the columns)") from None
    except UnicodeDecodeError as exc:
        raise W2VError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _read_parquet(path, columns):
    _check_columns(path, columns, _column_names(path))
    return pd.read_parquet(path, columns=columns, engine="pyarrow")


def _check_columns(source, wanted, present):
    present = [str(c) for c in present]
    for column in wanted:
        if column not in present:
            shown = ", ".join(repr(c) for c in present[:20]) + (" …" if len(present) > 20 else "")
            raise W2VError(f"{source}: no column {column!r} (the columns are: {shown})")


def _read_delimited(path, columns, sep):
    """The table's ``columns`` as text, and the data rows (1-based) that had too many fields.

    Compression is undone by content through :func:`open_file` (damage is a clear error).
    All columns are parsed, not just the wanted ones: pandas checks the field count of a
    row only then, and a row with extra fields means the columns are shifted.
    """
    fmt, _ = _suffixes(path)
    if sep is None:
        sep = _SEPARATORS.get(fmt, ",")
    _check_columns(path, columns, _column_names(path, sep))
    # Every column as literal text: ids stay strings ("007" is not 7) and nothing becomes NaN
    # behind our back ("NA" can be an item id); empty fields are the only missing values.
    try:
        with open_file(path, text=True)[0] as handle, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            try:
                table = pd.read_csv(handle, sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                                    skipinitialspace=True, on_bad_lines="warn")
            except Exception:
                # pandas reports a failed read() as its own error, and its C parser sometimes as a
                # SystemError (it warns about bad lines with the read's exception still set)
                if failure_of(handle):
                    raise failure_of(handle) from None
                raise
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise W2VError(f"{path}: cannot parse as {'TSV' if sep == chr(9) else 'CSV'}: {exc}") from None
    extra = []
    for warning in caught:
        if issubclass(warning.category, pd.errors.ParserWarning):
            # "Skipping line 7: expected 3 fields, saw 4": file line 7 is data row 6
            extra += [(int(line) - 1, int(saw), int(want)) for line, want, saw in
                      re.findall(r"line (\d+): expected (\d+) fields, saw (\d+)", str(warning.message))]
        else:
            warnings.warn(warning.message, warning.category, stacklevel=3)
    return table[columns], extra


def _as_id_strings(column):
    """Ids as str; missing or blank ids as None."""
    if pd.api.types.is_float_dtype(column):
        # Parquet/DataFrame ints with gaps arrive as floats: 17.0 is the id "17", not "17.0".
        whole = column.notna() & (column == np.floor(column))
        text = column.astype(object).where(column.isna(), column.astype(str))
        text = text.where(~whole, column.where(whole).astype("Int64").astype(str))
    else:
        text = column.astype(object).where(column.notna(), None)
        text = text.map(str, na_action="ignore") if not pd.api.types.is_string_dtype(column) else text
    text = text.str.strip()
    return text.where(text.notna() & (text != ""), None)


def _parse_times(column, time_unit):
    """Times as float seconds (numbers are taken as ``time_unit``) with NaN where unparsable."""
    if pd.api.types.is_datetime64_any_dtype(column):
        values = column
    elif pd.api.types.is_numeric_dtype(column):
        return pd.to_numeric(column, errors="coerce").astype(np.float64) * _unit_seconds(time_unit)
    else:
        text = column.astype(object).where(column.notna(), None)
        numbers = pd.to_numeric(text, errors="coerce")
        first = text.dropna()
        if len(first) and not np.isnan(numbers[first.index[0]]):
            # The first time decides, as for pandas' own format inference: numbers here
            # make every non-number a bad row rather than a silently mixed column.
            return numbers.astype(np.float64) * _unit_seconds(time_unit)
        values = pd.to_datetime(text, errors="coerce", utc=True)
    values = pd.Series(values, index=column.index)
    if getattr(values.dt, "tz", None) is None:
        values = values.dt.tz_localize("UTC")
    seconds = (values - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    return seconds.astype(np.float64)


def _unit_seconds(unit):
    try:
        return pd.Timedelta(1, unit=unit) / pd.Timedelta(seconds=1)
    except ValueError:
        raise W2VError(f"unknown time unit {unit!r} (use s, ms, us, ns, m, h or D)") from None


def parse_gap(gap):
    """A session gap in seconds: a number of seconds or a duration like "30min" or "2h"."""
    if gap is None:
        return None
    if isinstance(gap, (int, float, np.integer, np.floating)):
        seconds = float(gap)
    elif isinstance(gap, pd.Timedelta) or hasattr(gap, "total_seconds"):
        seconds = gap.total_seconds()
    else:
        text = str(gap).strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                seconds = pd.Timedelta(text).total_seconds()
            except ValueError:
                raise W2VError(f"session gap {gap!r} is not a duration (examples: 1800, 30min, 2h, 1D)") from None
    if not seconds > 0:
        raise W2VError(f"session gap must be positive, got {gap!r}")
    return seconds


def read_events(source, item, user=None, time=None, *, sep=None, time_unit="s", skip_bad_rows=False):
    """Read a log into a DataFrame with columns ``user``, ``item`` (str) and ``time`` (seconds).

    ``source`` is a DataFrame or a path to a CSV, TSV (optionally .gz/.bz2/.xz) or Parquet
    file.  ``item`` names the item column; ``user`` and ``time`` are optional (without a
    user column the whole log is one stream; without a time column the file order is the
    time order).  Numeric times are in ``time_unit`` (seconds by default, so Unix
    timestamps work as they are); text times are parsed as dates.

    A row with an empty id or an unparsable time is an error naming its data row (1-based,
    the header not counted); with ``skip_bad_rows`` such rows are dropped and counted in
    the returned :class:`EventsReport`.
    """
    columns = [c for c in (user, item, time) if c is not None]
    if len(set(columns)) != len(columns):
        raise W2VError(f"the user, item and time columns must differ, got {columns}")
    extra = []  # (data row, fields, expected) of CSV rows with too many fields, already left out
    if isinstance(source, pd.DataFrame):
        name = "<DataFrame>"
        _check_columns(name, columns, source.columns)
        table = source[columns].reset_index(drop=True)
    else:
        name = os.fspath(source)
        if not os.path.exists(name):
            raise W2VError(f"{name}: no such file")
        fmt, _ = _suffixes(name)
        if fmt in _PARQUET:
            table = _read_parquet(name, columns)
        else:
            table, extra = _read_delimited(name, columns, sep)
    out = pd.DataFrame(index=table.index)
    bad = np.zeros(len(table), dtype=bool)
    reasons = {}
    problems = []  # (data row, message) of the first bad rows, to quote in the error
    # data row (0-based, as in the file) of each table row: rows with extra fields are not in the table
    rows = np.arange(len(table))
    if extra:
        dropped = np.array(sorted(row for row, _, _ in extra)) - 1
        rows = np.setdiff1d(np.arange(len(table) + len(dropped)), dropped)
        reasons[f"more fields than the {extra[0][2]} columns of the header"] = len(extra)
        problems += [(row - 1, f"{saw} fields, but the header names {want} columns") for row, saw, want in extra[:_SHOWN_BAD_ROWS]]
    for role, column in (("user", user), ("item", item)):
        if column is None:
            continue
        ids = _as_id_strings(table[column])
        missing = ids.isna().to_numpy()
        out[role] = ids
        _note(missing, f"empty {role} id in column {column!r}", bad, reasons, problems, rows)
    if user is None:
        out["user"] = ""
    if time is not None:
        seconds = _parse_times(table[time], time_unit)
        unparsable = seconds.isna().to_numpy()
        raw = table[time].astype(object).to_numpy()
        out["time"] = seconds.to_numpy()
        _note(unparsable, f"unparsable time in column {time!r}", bad, reasons, problems, rows, raw)
    else:
        out["time"] = np.arange(len(table), dtype=np.float64)

    skipped = int(bad.sum()) + len(extra)
    if skipped and not skip_bad_rows:
        problems.sort()
        shown = "; ".join(f"data row {row + 1}: {message}" for row, message in problems[:_SHOWN_BAD_ROWS])
        more = f" (and {skipped - min(skipped, _SHOWN_BAD_ROWS)} more bad rows)" if skipped > _SHOWN_BAD_ROWS else ""
        raise W2VError(f"{name}: {shown}{more}; fix the rows or pass --skip-bad-rows (skip_bad_rows=True)")
    if skipped:
        out = out[~bad]
    out = out.reset_index(drop=True)
    if out.empty:
        raise W2VError(f"{name}: no events to read" + (f" ({skipped} bad rows skipped)" if skipped else ""))
    return out, EventsReport(name, rows=len(table) + len(extra), skipped=skipped, reasons=reasons)


def _note(mask, message, bad, reasons, problems, rows, raw=None):
    """Record the rows in ``mask`` as bad, keeping the first few for the error message."""
    mask = mask & ~bad  # a row is counted once, under its first problem
    count = int(mask.sum())
    if not count:
        return
    bad |= mask
    reasons[message] = count
    for row in np.flatnonzero(mask)[:_SHOWN_BAD_ROWS]:
        value = raw[row] if raw is not None else None
        shown = message.replace(" in ", f" {str(value)!r} in ", 1) if value is not None and value == value else message
        problems.append((int(rows[row]), shown))


# -- events → sessions ------------------------------------------------------------------------
class _UserNames(list):
    """The users' original ids, by user code (kept in ``table.attrs["user_names"]``).

    pandas deep-copies ``attrs`` on every operation on the table; the names are never
    changed after they are made, so copies share them (a deep copy of a 500k-user list on
    each column access tripled the time of an evaluation).
    """

    def __deepcopy__(self, memo):
        return self


def sessionize(events, session_gap=None, drop_repeats=True):
    """Order events by user then time, split sessions at gaps, drop consecutive repeats.

    Returns an events table: a DataFrame with ``user`` (int code), ``item`` (str) and
    ``session`` (int code, increasing along the table), one row per kept event.  Ties in
    time keep the log's order (the sort is stable).
    """
    gap = parse_gap(session_gap)
    users, user_names = pd.factorize(events["user"], sort=False)
    times = events["time"].to_numpy(np.float64)
    order = np.lexsort((np.arange(len(users)), times, users))
    users, times = users[order], times[order]
    items = events["item"].to_numpy(object)[order]

    starts = np.ones(len(users), dtype=bool)
    starts[1:] = users[1:] != users[:-1]
    if gap is not None:
        starts[1:] |= np.diff(times) > gap
    session = np.cumsum(starts) - 1
    keep = np.ones(len(users), dtype=bool)
    if drop_repeats:
        keep[1:] = ~((items[1:] == items[:-1]) & ~starts[1:])
    table = pd.DataFrame({"user": users[keep], "item": items[keep], "session": session[keep]})
    table.attrs["user_names"] = _UserNames(user_names)
    return table


def read_session_lines(source, drop_repeats=True):
    """Read one session per line (item ids separated by white space) into an events table.

    Each non-empty line is both a session and a user; blank lines are skipped.
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise W2VError(f"{path}: no such file")
        try:
            with open_file(path, text=True)[0] as handle:
                lines = [line.split() for line in handle]
        except UnicodeDecodeError as exc:
            raise W2VError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        name = path
    else:
        name = "<sessions>"
        lines = [session.split() if isinstance(session, str) else [str(i) for i in session] for session in source]
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    line_numbers = np.flatnonzero(lengths) + 1
    lengths = lengths[lengths > 0]
    if not len(lengths):
        raise W2VError(f"{name}: no sessions (every line is empty)")
    items = np.fromiter(itertools.chain.from_iterable(lines), dtype=object, count=int(lengths.sum()))
    session = np.repeat(np.arange(len(lengths)), lengths)
    keep = np.ones(len(items), dtype=bool)
    if drop_repeats:
        keep[1:] = ~((items[1:] == items[:-1]) & (session[1:] == session[:-1]))
    table = pd.DataFrame({"user": session[keep], "item": items[keep], "session": session[keep]})
    table.attrs["user_names"] = _UserNames(f"line {n}" for n in line_numbers)
    return table


def load_table(source, item=None, user=None, time=None, *, session_gap=None, drop_repeats=True,
               sep=None, time_unit="s", skip_bad_rows=False):
    """Any supported input → (events table, :class:`EventsReport` or None).

    A DataFrame or a CSV/TSV/Parquet path needs ``item``; any other path (or an iterable of
    sessions) is read as one session per line.
    """
    if isinstance(source, pd.DataFrame) or (item is not None and not _is_iterable_of_sessions(source)):
        if item is None:
            raise W2VError("a table of events needs the item column: item=... (--item)")
        events, report = read_events(source, item=item, user=user, time=time, sep=sep,
                                     time_unit=time_unit, skip_bad_rows=skip_bad_rows)
        return sessionize(events, session_gap=session_gap, drop_repeats=drop_repeats), report
    if isinstance(source, (str, os.PathLike)) and is_table_file(source):
        raise W2VError(f"{os.fspath(source)}: a table of events needs the item column: --item NAME (item=...)")
    if session_gap is not None or user is not None or time is not None:
        raise W2VError("user, time and session gap apply to tables of events, not to one-session-per-line text")
    return read_session_lines(source, drop_repeats=drop_repeats), None


def _is_iterable_of_sessions(source):
    return not isinstance(source, (str, os.PathLike, pd.DataFrame))


# -- events table → training input --------------------------------------------------------------
def item_counts(table):
    """Occurrences of each item in the table: a Series indexed by item, most frequent first."""
    return table["item"].value_counts(sort=True)


def sessions_of(table, keep_items=None):
    """The table's sessions as lists of item strings (items outside ``keep_items`` removed)."""
    if keep_items is not None:
        table = table[table["item"].isin(keep_items)]
    session = table["session"].to_numpy()
    if not len(session):
        return []
    cuts = np.flatnonzero(session[1:] != session[:-1]) + 1
    return [part.tolist() for part in np.split(table["item"].to_numpy(object), cuts)]


def hold_out_last(table):
    """Split off each user's last event: (training table, held-out table).

    Only users with two or more events lose their last one; the others keep all their
    events in training (they have nothing to be tested on).  The held-out table
    has one row per test user with ``user`` and ``item``.
    """
    users = table["user"].to_numpy()
    last = np.ones(len(users), dtype=bool)
    last[:-1] = users[:-1] != users[1:]
    sizes = np.bincount(users)
    last &= sizes[users] > 1
    train = table[~last].reset_index(drop=True)
    held = table[last].reset_index(drop=True)
    train.attrs.update(table.attrs)
    return train, held[["user", "item"]]


def histories(table, users):
    """Flat history arrays of the given users from an events table, oldest first.

    Returns (owner, items, age): ``owner[j]`` is the position in ``users`` of the user whose
    history holds ``items[j]``; ``age`` is 0 for each user's most recent event, 1 for the
    one before, and so on.
    """
    users = np.asarray(users)
    lookup = pd.Series(np.arange(len(users)), index=users)
    mask = table["user"].isin(users).to_numpy()
    sub_users = table["user"].to_numpy()[mask]
    owner = lookup.loc[sub_users].to_numpy()
    items = table["item"].to_numpy(object)[mask]
    # Tables are in user-then-time order, so a user's rows are contiguous and age counts back
    # from the end of that run.
    ends = np.flatnonzero(np.r_[sub_users[1:] != sub_users[:-1], True])
    run_end = np.repeat(ends, np.diff(np.r_[-1, ends]))
    age = run_end - np.arange(len(sub_users))
    return owner, items, age


def read_names(source, name_col, id_col=None, sep=None):
    """A side table of item names → dict item id (str) → name (str).

    ``id_col`` defaults to the table's first column.
    """
    if isinstance(source, pd.DataFrame):
        name, frame = "<DataFrame>", source
        if id_col is None:
            id_col = frame.columns[0]
        _check_columns(name, [id_col, name_col], frame.columns)
    else:
        name = os.fspath(source)
        if not os.path.exists(name):
            raise W2VError(f"{name}: no such file")
        if id_col is None:
            id_col = _column_names(name, sep)[0]
        columns = [id_col, name_col]
        if _suffixes(name)[0] in _PARQUET:
            frame = _read_parquet(name, columns)
        else:
            frame, extra = _read_delimited(name, columns, sep)
            if extra:
                shown = ", ".join(str(row) for row, _, _ in extra[:_SHOWN_BAD_ROWS])
                raise W2VError(f"{name}: data row {shown}: more fields than the header names columns"
                               + (f" (and {len(extra) - _SHOWN_BAD_ROWS} more rows)" if len(extra) > _SHOWN_BAD_ROWS else ""))
    ids = _as_id_strings(frame[id_col])
    names = frame[name_col].astype(object).where(frame[name_col].notna(), "")
    keep = ids.notna().to_numpy()
    return dict(zip(ids[keep], names[keep].map(str)))
