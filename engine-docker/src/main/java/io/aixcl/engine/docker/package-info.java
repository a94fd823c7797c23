package io.aixcl.engine.docker;
