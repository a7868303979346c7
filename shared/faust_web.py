"""faust's aiohttp web driver with a port several workers of one service can share: the
encounter's intake port is bound with SO_REUSEPORT by every encounter worker (the kernel spreads
new connections among them), and each worker also listens on a port of its own, where Prometheus
and the start script reach that worker and no other. Only processes of the same user can join a
port bound this way (Linux checks the effective uid)."""

from __future__ import annotations

from aiohttp.web import TCPSite
from faust.web.drivers import DRIVERS
from faust.web.drivers import aiohttp as faust_aiohttp

from shared.settings import get_settings

SCHEME = "rcmaiohttp"


class Web(faust_aiohttp.Web):
    async def start_server(self) -> None:
        settings, conf = get_settings(), self.app.conf
        await self._runner.setup()
        shared, tls = settings.web_shared_port, conf.web_ssl_context
        await TCPSite(self._runner, conf.web_bind, conf.web_port, ssl_context=tls, reuse_port=shared).start()
        if shared and settings.worker_web_port:
            await TCPSite(self._runner, conf.web_bind, settings.worker_web_port, ssl_context=tls).start()


def register() -> str:
    """Make `rcmaiohttp://` name this driver; returns the scheme."""
    DRIVERS.aliases[SCHEME] = f"{__name__}:Web"
    return SCHEME
