"""Writes what the script sees (argv, working directory, sys.path[0], __name__) to a JSON file."""
import json
import os
import sys

out = sys.argv[1]
with open(out, "w") as fh:
    json.dump({"argv": sys.argv, "cwd": os.getcwd(), "path0": sys.path[0], "name": __name__}, fh)
print("hello from the script")
