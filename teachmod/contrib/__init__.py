"""``mx.contrib``: only ``mx.contrib.amp``, so that code importing it loads."""
