"""Where a channel finds the provider configured for a message's company.

The kernel holds the adapters (`aliyun_sms`, `tencent_sms`, `wechat`) but not the configuration:
administrators enter each company's provider accounts on a settings page (the notices app), which
registers a source here in its `ready()`. The SMS and WeChat transports ask the source for the
message at hand; with no source, or none configured, they fall back to the settings-based
provider (SMS) or the log (WeChat).
"""

from __future__ import annotations

from typing import Protocol


class ProviderSource(Protocol):
    def for_message(self, message) -> object | None:
        """The adapter to send this message with, or None when its company has none."""

    def deploy_problems(self) -> tuple[bool, list[str]]:
        """(some company has a working provider, what is wrong with the configuration)."""


_sources: dict[str, ProviderSource] = {}


def provider_source_register(channel: str, source: ProviderSource) -> None:
    _sources[channel] = source


def provider_source(channel: str) -> ProviderSource | None:
    return _sources.get(channel)
