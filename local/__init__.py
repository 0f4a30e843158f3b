"""The Docker-less local runner: template.yaml's API served in process, AWS from moto."""
