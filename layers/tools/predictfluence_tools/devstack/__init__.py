"""The local stack behind `make run` / `predictfluence run` (dev-only: imports moto and chalice.local).

Everything that runs in AWS runs here through the same entry points: the raw bucket notifies an SQS
queue, a dispatcher long-polls it and invokes the very ETL handler Lambda would, with a real SQS event;
a scheduler sends the retrain handler a real-shaped EventBridge scheduled event; the API is Chalice's
local server over the same app object.
"""
