"""The site model read by pydantic-settings (environment overrides); imported only when a
site file is parsed, so commands that need no site file start without pydantic-settings."""

from __future__ import annotations

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from kuzet.config.models import SiteConfig

ENV_PREFIX = "KUZET_"  # as loader.ENV_PREFIX (the override tests in tests/config use both)


class SiteSettings(BaseSettings, SiteConfig):
    """The site model read by pydantic-settings: ``KUZET_STORE__URL=...`` overrides
    ``store.url`` (secrets never need to be in files; names are case-insensitive; lists
    and mappings are JSON), and wins over the file's values, which come in as init
    arguments."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", case_sensitive=False, extra="forbid"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return env_settings, init_settings  # environment first: it wins
