"""Downloading the attachment of ``/kb import``: bounded, and every failure a plain refusal.

``discord.Attachment.read`` reads the whole file whatever its size and lets connection
errors through. Here the declared size is checked first, the body is read in chunks and
the download stops as soon as it passes the limit (a file larger than it claimed is
never held whole), only http(s) addresses are fetched, and anything that goes wrong
(connection refused, a timeout, an HTTP error) is a :class:`DownloadRefused` whose
message the moderator sees.
"""

from __future__ import annotations

import aiohttp
import discord
import yarl

CHUNK = 64 * 1024
TIMEOUT = 30.0


class DownloadRefused(Exception):
    """The file could not be downloaded, or was too large; ``str()`` says which, for people."""


def _too_large(limit: int) -> DownloadRefused:
    return DownloadRefused(f"the file is larger than the limit of {limit:,} bytes")


async def download(
    attachment: discord.Attachment, limit: int, *, timeout: float = TIMEOUT, proxy: str | None = None
) -> bytes:
    """The attachment's bytes, at most ``limit`` of them; raise DownloadRefused otherwise."""
    if attachment.size > limit:
        raise _too_large(limit)
    url = yarl.URL(attachment.url)
    if url.scheme not in ("http", "https") or not url.host:
        raise DownloadRefused("could not download the file: its address is not a web address")
    received = bytearray()
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.get(url, proxy=proxy) as response,
        ):
            if response.status != 200:
                raise DownloadRefused(f"could not download the file (HTTP {response.status})")
            if response.content_length is not None and response.content_length > limit:
                raise _too_large(limit)
            async for chunk in response.content.iter_chunked(CHUNK):
                received += chunk
                if len(received) > limit:
                    raise _too_large(limit)
    except (aiohttp.ClientError, TimeoutError, ValueError, OSError) as exc:
        raise DownloadRefused(f"could not download the file ({exc.__class__.__name__})") from exc
    return bytes(received)
