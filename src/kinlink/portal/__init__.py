"""The Kinlink portal: a Django app over the published read model, with one access policy
(``policy``), an append-only audit log (``audit``) and ``kinlink publish`` (``publish``).

Nothing in the pipeline imports this package.
"""
