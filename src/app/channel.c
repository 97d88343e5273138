/* channel.c -- the channels the settings enable (channel.h). */
#include "app/channel.h"

#include <stdio.h>
#include <string.h>

#include "core/pk.h"

int pk_channels_open(const pk_config *cfg, pk_chan *out[PK_CH__COUNT], unsigned *enabled,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof(pk_chan *) * PK_CH__COUNT);
    *enabled = 0;
    int rc = 0;
    if (cfg->remind_file[0] != '\0' &&
        (rc = pk_chan_berkas_open(cfg->remind_file, &out[PK_CH_BERKAS], err, errlen)) != 0)
        goto fail;
    for (int c = 0; c < PK_CH__COUNT; c++)
        if (out[c] != NULL)
            *enabled |= 1u << c;
    return 0;
fail:
    pk_channels_close(out);
    return rc;
}

void pk_channels_close(pk_chan *ch[PK_CH__COUNT])
{
    for (int c = 0; c < PK_CH__COUNT; c++)
        if (ch[c] != NULL) {
            ch[c]->close(ch[c]);
            ch[c] = NULL;
        }
}
