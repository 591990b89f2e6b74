import { Logger } from '@nestjs/common';

// In-process tests assert on behaviour, not on log output.
Logger.overrideLogger(false);
