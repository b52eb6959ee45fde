"""teachmod in the browser: the JupyterLite site of the lessons (``python -m teachmod.lite``).

``build`` assembles the site offline from pinned registry packages; ``_pyodide`` is the one
part that runs in the page (Graphviz drawn by viz-js), registered by ``import teachmod``
under Pyodide only.
"""
