#include "zap_handler.h"

#include <spdlog/spdlog.h>

#include "zmq_util.h"

namespace stratus::rpc::detail {

ZapHandler::ZapHandler(std::shared_ptr<IoContext> io, std::vector<KeyPolicy> allowed)
    : io_(std::move(io)), allowed_(std::move(allowed)) {}

ZapHandler::~ZapHandler() { stop(); }

Status ZapHandler::start() {
  sock_ = zmq_socket(io_->native(), ZMQ_REP);
  int linger = 0;
  zmq_setsockopt(sock_, ZMQ_LINGER, &linger, sizeof linger);
  if (zmq_bind(sock_, "inproc://zeromq.zap.01") != 0) {
    Error e = make_error(Errc::unavailable, "cannot bind the ZAP handler (one CURVE router per IoContext): " + zmq_error());
    zmq_close(sock_);
    sock_ = nullptr;
    return e;
  }
  running_ = true;
  thread_ = std::thread([this] { loop(); });
  return {};
}

void ZapHandler::stop() {
  if (!sock_) return;
  running_ = false;
  if (thread_.joinable()) thread_.join();
  zmq_close(sock_);
  sock_ = nullptr;
}

void ZapHandler::loop() {
  zmq_pollitem_t item{sock_, 0, ZMQ_POLLIN, 0};
  Frames req;
  std::size_t extra = 0;
  while (running_.load()) {
    if (zmq_poll(&item, 1, 50) <= 0) continue;
    if (recv_multipart(sock_, req, extra) != 1) continue;
    // version, request id, domain, address, identity, mechanism, credentials...
    std::string status = "400";
    std::string text = "key not allowed";
    std::string user;
    if (req.size() >= 7 && req[0].view() == "1.0" && req[5].view() == "CURVE" && req[6].size() == 32) {
      char z85[41] = {};
      zmq_z85_encode(z85, reinterpret_cast<const std::uint8_t*>(req[6].view().data()), 32);
      for (const auto& k : allowed_) {
        if (k.public_key == z85) {
          status = "200";
          text = "OK";
          user = k.name;
          break;
        }
      }
      if (status != "200") spdlog::warn("rpc router: CURVE key {} from {} refused: not in the allow-list", z85, req[3].str());
    } else {
      text = "CURVE required";
    }
    Frames rep;
    rep.emplace_back("1.0");
    rep.emplace_back(req.size() > 1 ? req[1].view() : std::string_view());
    rep.emplace_back(status);
    rep.emplace_back(text);
    rep.emplace_back(user);
    rep.emplace_back(std::string_view());
    for (std::size_t i = 0; i < rep.size(); ++i) {
      zmq_msg_send(rep[i].get(), sock_, i + 1 < rep.size() ? ZMQ_SNDMORE : 0);
    }
  }
}

}  // namespace stratus::rpc::detail
