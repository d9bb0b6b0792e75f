#!/usr/bin/env python3
"""A real SMTP server for Piazza's end-to-end tests.

It speaks SMTP through aiosmtpd and stores every accepted message as one `.eml` file in a
directory, which the tests read back. It binds the given port (0 picks a free one) and prints
`READY <port>` once it accepts connections.

Options let a test make it misbehave the way real servers do:
  --reject-rcpt SUBSTRING   answer 550 (permanent) to recipients containing SUBSTRING
  --defer-rcpt SUBSTRING    answer 451 (temporary) to recipients containing SUBSTRING
  --drop-after-data SUBSTRING
                            for recipients containing SUBSTRING, store the message and then
                            close the connection without answering (the client cannot know
                            whether the message was accepted)
"""

import argparse
import asyncio
import os
import sys
import uuid

from aiosmtpd.smtp import SMTP


class Store:
    def __init__(self, directory, reject, defer, drop):
        self.directory = directory
        self.reject = reject
        self.defer = defer
        self.drop = drop

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject in address:
            return "550 5.1.1 mailbox unavailable"
        if self.defer and self.defer in address:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"{uuid.uuid4().hex}.eml"
        temporary = os.path.join(self.directory, "." + name)
        with open(temporary, "wb") as out:
            out.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            out.write(envelope.original_content or envelope.content)
        # Renamed into place only when complete, so a reader never sees half a message.
        os.rename(temporary, os.path.join(self.directory, name))
        if self.drop and any(self.drop in rcpt for rcpt in envelope.rcpt_tos):
            # Stored, as a server that crashed before answering may have; the client hears nothing.
            server.transport.abort()
        return "250 2.0.0 message accepted"


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject-rcpt")
    parser.add_argument("--defer-rcpt")
    parser.add_argument("--drop-after-data")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    handler = Store(args.dir, args.reject_rcpt, args.defer_rcpt, args.drop_after_data)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="piazza-test-smtp", data_size_limit=10_000_000),
        "127.0.0.1",
        args.port,
        reuse_address=True,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
