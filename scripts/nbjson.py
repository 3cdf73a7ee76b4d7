# Helper for authors: build an .ipynb (tslab kernel, no outputs) from a list of ("md"|"code", source) cells.
# Usage in a script: from nbjson import write; write(path, cells)
import json

def write(path, cells):
    nb = {
        "cells": [],
        "metadata": {
            "kernelspec": {"display_name": "TypeScript (tslab, tdmpc-ts)", "language": "typescript", "name": "tslab"},
            "language_info": {"name": "typescript", "file_extension": ".ts", "mimetype": "text/typescript",
                              "codemirror_mode": {"mode": "typescript", "name": "javascript", "typescript": True}},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for i, (kind, src) in enumerate(cells):
        src = src.strip("\n")
        lines = [l + "\n" for l in src.split("\n")]
        lines[-1] = lines[-1].rstrip("\n")
        cell = {"cell_type": "markdown" if kind == "md" else "code", "id": f"c{i:02d}", "metadata": {}, "source": lines}
        if kind != "md":
            cell["execution_count"] = None
            cell["outputs"] = []
        nb["cells"].append(cell)
    with open(path, "w") as f:
        json.dump(nb, f, indent=1)
        f.write("\n")
