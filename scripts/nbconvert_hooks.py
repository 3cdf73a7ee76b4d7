# nbconvert config used by `tdmpc notebooks run` (src/tooling/notebooks.ts).
# tslab writes a failing cell's error to stderr and nbconvert keeps no per-cell status, so record the
# kernel's execute_reply status in each cell's metadata; the runner reads it back to name the failing cell.
c = get_config()  # noqa: F821 (provided by traitlets when nbconvert loads this file)


def _record(cell, cell_index, execute_reply, **_):
    content = (execute_reply or {}).get("content", {})
    cell.metadata["tdmpc"] = {"status": content.get("status", "unknown")}
    if content.get("status") == "error":
        cell.metadata["tdmpc"].update(
            {"ename": content.get("ename", ""), "evalue": content.get("evalue", "")}
        )


c.ExecutePreprocessor.on_cell_executed = _record
