"""The stores that keep files under the vault root, handed explicitly to every vault that verifies or rotates.

One place says which they are (the codebase snapshot store under `codebase_copies/`, the HTM states under
`htm_state/`), so the Dagster resource and the CLI open the same vault; nothing registers itself at import
time.
"""

from __future__ import annotations

from resources.vault.store import HostedStore


def hosted_stores() -> tuple[HostedStore, ...]:
    from resources.codebase.vault_hosted import VAULT_HOSTED  # imported when a vault is opened, not by `mira --help`
    from resources.vault.htm_states import VAULT_HOSTED as HTM_STATES

    return (VAULT_HOSTED, HTM_STATES)
